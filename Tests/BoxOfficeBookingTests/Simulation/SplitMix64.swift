/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator, identical on every run and machine,
/// so a simulation seed replays exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) < p
    }

    /// A uniform integer in `range` (simple modulo reduction; the bias is irrelevant here and the
    /// result depends only on the seed).
    mutating func int(in range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int64(next() % span)
    }
}

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
