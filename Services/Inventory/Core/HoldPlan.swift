public import Foundation

/// A validated hold request, ready for a hold store: what to take, for how long, at what price.
public struct HoldPlan: Sendable, Hashable {
    /// What the store must find and take.
    public enum Target: Sendable, Hashable {
        /// These seats (sorted, unique, all existing), all or nothing.
        case seats([Int64])
        /// The best block of `quantity` adjacent seats among `rows` (see ``BestAvailableSearch``).
        case bestAvailable(quantity: Int, rows: [LayoutRow])
        /// `quantity` units of `pool`.
        case generalAdmission(pool: GeneralAdmissionPoolSpec, quantity: Int)
    }

    /// The request as given.
    public var request: HoldRequest
    /// What to take.
    public var target: Target
    /// Seats or units asked for.
    public var quantity: Int
    /// The effective TTL.
    public var ttl: Duration
    /// When the plan was made.
    public var now: Date
    /// When the hold will lapse unless pinned.
    public var expiresAt: Date
    /// The per-holder cap; 0 means none.
    public var holderCap: Int
}
