/// One row of reserved seats after expansion: its seats have consecutive ids and positions.
public struct LayoutRow: Sendable, Hashable {
    /// The section the row belongs to.
    public var sectionCode: String
    /// The section's index in the seat map (its order).
    public var sectionIndex: Int
    /// Row label, unique within the section.
    public var label: String
    /// The row's order within its section: 0 is the front (best) row.
    public var rank: Int
    /// The row's effective tier (its own, or its section's).
    public var priceTier: String
    /// Id of the row's first seat; the row's seats are `firstSeatID ..< firstSeatID + seatCount`.
    public var firstSeatID: Int64
    /// Number of seats.
    public var seatCount: Int
    /// Number printed on the first seat.
    public var firstNumber: Int

    /// Every seat id of the row, in adjacency order.
    public var seatIDs: Range<Int64> { firstSeatID..<(firstSeatID + Int64(seatCount)) }
}

/// One reserved seat after expansion.
public struct LayoutSeat: Sendable, Hashable {
    /// Seat id, unique within its event: seats are numbered from 1 in seat-map order
    /// (sections, then rows, then seats), so ids are stable and derivable from the map.
    public var id: Int64
    /// Section code.
    public var sectionCode: String
    /// Row label.
    public var row: String
    /// Number printed on the seat.
    public var number: Int
    /// Order within the row, from 0; adjacent seats differ by one.
    public var position: Int
    /// Effective tier.
    public var priceTier: String

    /// Creates a seat description.
    public init(id: Int64, sectionCode: String, row: String, number: Int, position: Int, priceTier: String) {
        self.id = id
        self.sectionCode = sectionCode
        self.row = row
        self.number = number
        self.position = position
        self.priceTier = priceTier
    }
}

/// A validated, expanded seat map: rows with seat ids, tiers and pools by code.
///
/// Built only by ``init(validating:limits:)``, so holding one means the map is well formed.
/// Expansion is lazy per seat (``seat(_:)`` is a binary search over rows), so a 100,000-seat
/// layout costs a few thousand rows of memory.
public struct EventLayout: Sendable, Hashable {
    /// The map the layout was built from.
    public let seatMap: SeatMap
    /// Every row, in seat-map order (ascending ``LayoutRow/firstSeatID``).
    public let rows: [LayoutRow]
    /// Tiers by code.
    public let tiers: [String: PriceTier]
    /// GA pools by code.
    public let pools: [String: GeneralAdmissionPoolSpec]
    /// Sections by code, with their index in the map.
    public let sectionIndexes: [String: Int]
    /// Number of reserved seats.
    public let seatCount: Int
    /// Total GA capacity over all pools.
    public let gaCapacity: Int
    /// The currency every price is in.
    public let currency: String

    /// Checks `seatMap` against `limits` and expands it.
    ///
    /// - Throws: ``InventoryError/Code/invalidArgument`` naming the first problem found (duplicate
    ///   codes, unknown tier, zero or negative counts, too large, mixed currencies, bad codes).
    public init(validating seatMap: SeatMap, limits: SeatMapLimits = .init()) throws(InventoryError) {
        self = try SeatMapValidator(limits: limits).expand(seatMap)
    }

    init(seatMap: SeatMap, rows: [LayoutRow], tiers: [String: PriceTier], pools: [String: GeneralAdmissionPoolSpec],
         sectionIndexes: [String: Int], seatCount: Int, gaCapacity: Int, currency: String) {
        self.seatMap = seatMap
        self.rows = rows
        self.tiers = tiers
        self.pools = pools
        self.sectionIndexes = sectionIndexes
        self.seatCount = seatCount
        self.gaCapacity = gaCapacity
        self.currency = currency
    }

    /// The row holding seat `id`, or `nil` when the event has no such seat.
    public func row(containing id: Int64) -> LayoutRow? {
        guard id >= 1, id <= Int64(seatCount) else { return nil }
        var low = 0
        var high = rows.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let row = rows[middle]
            if id < row.firstSeatID {
                high = middle - 1
            } else if id >= row.firstSeatID + Int64(row.seatCount) {
                low = middle + 1
            } else {
                return row
            }
        }
        return nil
    }

    /// Seat `id`, or `nil` when the event has no such seat.
    public func seat(_ id: Int64) -> LayoutSeat? {
        guard let row = row(containing: id) else { return nil }
        let position = Int(id - row.firstSeatID)
        return LayoutSeat(id: id, sectionCode: row.sectionCode, row: row.label, number: row.firstNumber + position,
                          position: position, priceTier: row.priceTier)
    }

    /// Every seat in id order (lazily expanded).
    public var seats: some Sequence<LayoutSeat> {
        rows.lazy.flatMap { row in
            (0..<row.seatCount).lazy.map { position in
                LayoutSeat(id: row.firstSeatID + Int64(position), sectionCode: row.sectionCode, row: row.label,
                           number: row.firstNumber + position, position: position, priceTier: row.priceTier)
            }
        }
    }

    /// The rows a best-available search may use: those of `sectionCode` (when given) whose tier
    /// is `priceTier` (when given).
    public func rows(sectionCode: String?, priceTier: String?) -> [LayoutRow] {
        rows.filter { row in
            (sectionCode.map { row.sectionCode == $0 } ?? true) && (priceTier.map { row.priceTier == $0 } ?? true)
        }
    }

    /// The price of one seat or unit in `tier`.
    public func price(ofTier tier: String) -> Money {
        tiers[tier]?.price ?? .zero(currency)
    }
}
