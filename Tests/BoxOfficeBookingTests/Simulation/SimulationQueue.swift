/// A discrete-event queue: earliest time first, then the order of scheduling.
struct SimulationQueue<Element> {
    private var items: [(at: Int64, order: UInt64, element: Element)] = []  // latest first: pop from the end
    private var scheduled: UInt64 = 0

    var isEmpty: Bool { items.isEmpty }

    mutating func schedule(_ element: Element, at time: Int64) {
        scheduled += 1
        let order = scheduled
        var low = 0
        var high = items.count
        while low < high {  // first index whose item comes before the new one
            let mid = (low + high) / 2
            let item = items[mid]
            if item.at < time || (item.at == time && item.order < order) {
                high = mid
            } else {
                low = mid + 1
            }
        }
        items.insert((time, order, element), at: low)
    }

    mutating func next() -> (at: Int64, element: Element)? {
        guard let item = items.popLast() else { return nil }
        return (item.at, item.element)
    }
}
