/// Bounds a seat map must respect; the defaults fit a stadium with room to spare.
public struct SeatMapLimits: Sendable, Hashable {
    /// Most reserved seats per event.
    public var maxSeats: Int = 200_000
    /// Most seats in one row.
    public var maxSeatsPerRow: Int = 1_000
    /// Most rows in one section.
    public var maxRowsPerSection: Int = 1_000
    /// Most sections.
    public var maxSections: Int = 1_000
    /// Most price tiers.
    public var maxTiers: Int = 100
    /// Most GA pools.
    public var maxPools: Int = 100
    /// Largest GA pool.
    public var maxPoolCapacity: Int = 1_000_000
    /// Longest code (tier, section, pool) or row label.
    public var maxCodeLength: Int = 32
    /// Longest display name.
    public var maxNameLength: Int = 200
    /// Highest seat number.
    public var maxSeatNumber: Int = 100_000

    /// The default limits.
    public init() {}
}
