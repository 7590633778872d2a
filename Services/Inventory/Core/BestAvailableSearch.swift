/// Finds the best block of N adjacent available seats in one row.
///
/// "Best" is, in order: the front-most row (lowest ``LayoutRow/rank``); then the block whose
/// centre is nearest the centre of its row; then the earlier section in the seat map; then the
/// lower position. The Redis hold script implements the same rule, so both stores pick the same
/// seats from the same state.
public enum BestAvailableSearch {
    /// The seat ids of the best block of `quantity` adjacent seats among `rows`, or `nil` when no
    /// row has that many adjacent available seats.
    ///
    /// - Parameters:
    ///   - quantity: Block size, at least 1.
    ///   - rows: Candidate rows, in any order.
    ///   - isAvailable: Whether a seat id is free now.
    public static func bestBlock(quantity: Int, rows: [LayoutRow], isAvailable: (Int64) -> Bool) -> Range<Int64>? {
        guard quantity > 0 else { return nil }
        var best: (rank: Int, distance: Int, section: Int, start: Int64)?
        for row in rows where row.seatCount >= quantity {
            if let current = best, row.rank > current.rank { continue }
            guard let (start, distance) = bestStart(quantity: quantity, row: row, isAvailable: isAvailable) else {
                continue
            }
            let candidate = (rank: row.rank, distance: distance, section: row.sectionIndex, start: start)
            if let current = best,
               (current.rank, current.distance, current.section, current.start)
               <= (candidate.rank, candidate.distance, candidate.section, candidate.start) {
                continue
            }
            best = candidate
        }
        return best.map { $0.start..<($0.start + Int64(quantity)) }
    }

    /// The most central block start in `row` and its doubled distance from the row's centre.
    static func bestStart(quantity: Int, row: LayoutRow, isAvailable: (Int64) -> Bool) -> (Int64, Int)? {
        // Positions are doubled so centres of even and odd blocks stay integers.
        let ideal = row.seatCount - quantity  // doubled ideal start position
        var best: (start: Int, distance: Int)?
        var runStart = 0
        var position = 0
        while position <= row.seatCount {
            let free = position < row.seatCount && isAvailable(row.firstSeatID + Int64(position))
            if !free {
                let runEnd = position  // [runStart, runEnd) is free
                if runEnd - runStart >= quantity {
                    let lowest = runStart
                    let highest = runEnd - quantity
                    for start in [min(max(ideal / 2, lowest), highest), min(max((ideal + 1) / 2, lowest), highest)] {
                        let distance = abs(2 * start - ideal)
                        if let current = best, (current.distance, current.start) <= (distance, start) { continue }
                        best = (start, distance)
                    }
                }
                runStart = position + 1
            }
            position += 1
        }
        return best.map { (row.firstSeatID + Int64($0.start), $0.distance) }
    }
}
