/// Counts for one section (`SectionAvailability`).
public struct SectionAvailability: Sendable, Hashable {
    /// The section.
    public var sectionCode: String
    /// The section's own tier (rows may override it).
    public var priceTier: String
    /// Seats in all.
    public var total = 0
    /// Seats free to hold.
    public var available = 0
    /// Seats held.
    public var held = 0
    /// Seats sold.
    public var sold = 0
}

/// Counts for one price tier over all sections (`TierAvailability`).
public struct TierAvailability: Sendable, Hashable {
    /// The price tier.
    public var priceTier: String
    /// Seats in all.
    public var total = 0
    /// Seats free to hold.
    public var available = 0
    /// Seats held.
    public var held = 0
    /// Seats sold.
    public var sold = 0
}

/// Counts for one GA pool (`PoolAvailability`).
public struct PoolAvailability: Sendable, Hashable {
    /// The pool.
    public var poolCode: String
    /// The price tier.
    public var priceTier: String
    /// Units in all.
    public var capacity: Int
    /// Units (or, for the event, seats plus units) free to hold.
    public var available: Int
    /// Units held.
    public var held: Int
    /// Units sold.
    public var sold: Int
}

/// What is left of an event (`GetAvailabilityResponse`).
public struct Availability: Sendable, Hashable {
    /// The event.
    public var eventID: Int64
    /// Per section, in seat-map order.
    public var sections: [SectionAvailability]
    /// Per tier, in seat-map order.
    public var tiers: [TierAvailability]
    /// Per GA pool, in seat-map order.
    public var pools: [PoolAvailability]
    /// Every seat of the requested section, when one was asked for.
    public var seats: [Seat]
    /// Seats plus GA units available.
    public var available: Int
    /// Whether nothing at all is available.
    public var soldOut: Bool { available == 0 }

    /// Counts `event`'s seats from `status` (by seat id) and its pools from `poolCounts`
    /// (code → held, sold), listing the seats of `sectionCode` when given.
    public static func count(event: Event, sectionCode: String?, status: (Int64) -> SeatStatus,
                             holdID: (Int64) -> String? = { _ in nil },
                             poolCounts: [String: (held: Int, sold: Int)]) -> Availability {
        let layout = event.layout
        var sections = layout.seatMap.sections.map { SectionAvailability(sectionCode: $0.code, priceTier: $0.priceTier) }
        var tiers: [String: TierAvailability] = [:]
        var seats: [Seat] = []
        var available = 0
        for row in layout.rows {
            var tier = tiers[row.priceTier] ?? TierAvailability(priceTier: row.priceTier)
            for id in row.seatIDs {
                let seatStatus = status(id)
                sections[row.sectionIndex].total += 1
                tier.total += 1
                switch seatStatus {
                case .available:
                    sections[row.sectionIndex].available += 1
                    tier.available += 1
                    available += 1
                case .held:
                    sections[row.sectionIndex].held += 1
                    tier.held += 1
                case .sold:
                    sections[row.sectionIndex].sold += 1
                    tier.sold += 1
                }
                if row.sectionCode == sectionCode, let seat = layout.seat(id) {
                    seats.append(Seat(seat, status: seatStatus, holdID: seatStatus == .available ? nil : holdID(id)))
                }
            }
            tiers[row.priceTier] = tier
        }
        let pools = layout.seatMap.gaPools.map { pool in
            let counts = poolCounts[pool.code] ?? (0, 0)
            let free = max(0, pool.capacity - counts.held - counts.sold)
            available += free
            return PoolAvailability(poolCode: pool.code, priceTier: pool.priceTier, capacity: pool.capacity,
                                    available: free, held: counts.held, sold: counts.sold)
        }
        let tierOrder = layout.seatMap.priceTiers.map(\.code)
        return Availability(eventID: event.id, sections: sections,
                            tiers: tierOrder.compactMap { tiers[$0] }, pools: pools, seats: seats, available: available)
    }
}
