public import Foundation

/// An event and its validated layout (`Event`).
public struct Event: Sendable, Hashable {
    /// Id.
    public var id: Int64
    /// Name.
    public var name: String
    /// Venue.
    public var venue: String
    /// When the show starts, if known.
    public var startsAt: Date?
    /// Holds before this instant are refused with FAILED_PRECONDITION.
    public var saleStartsAt: Date
    /// Default hold lifetime.
    public var holdTTL: Duration
    /// Most seats plus GA units one holder may hold or own; 0 means no cap.
    public var maxTicketsPerHolder: Int
    /// The expanded seat map.
    public var layout: EventLayout
    /// When it was created.
    public var createdAt: Date
    /// Free-form labels.
    public var labels: [String: String]

    /// Creates an event.
    public init(id: Int64, name: String, venue: String, startsAt: Date?, saleStartsAt: Date, holdTTL: Duration,
                maxTicketsPerHolder: Int, layout: EventLayout, createdAt: Date, labels: [String: String] = [:]) {
        self.id = id
        self.name = name
        self.venue = venue
        self.startsAt = startsAt
        self.saleStartsAt = saleStartsAt
        self.holdTTL = holdTTL
        self.maxTicketsPerHolder = maxTicketsPerHolder
        self.layout = layout
        self.createdAt = createdAt
        self.labels = labels
    }

    /// The seat map it was created from.
    public var seatMap: SeatMap { layout.seatMap }
    /// Number of reserved seats.
    public var seatCount: Int { layout.seatCount }
    /// Total GA capacity.
    public var gaCapacity: Int { layout.gaCapacity }
}

/// What `CreateEvent` asks for, before validation.
public struct EventDraft: Sendable, Hashable {
    /// Name, 1–200 bytes.
    public var name: String
    /// Venue, up to 200 bytes.
    public var venue: String
    /// When the show starts.
    public var startsAt: Date?
    /// When holds open.
    public var saleStartsAt: Date
    /// Default hold lifetime; the policy's default when `nil`.
    public var holdTTL: Duration?
    /// Per-holder cap; 0 means none.
    public var maxTicketsPerHolder: Int
    /// The layout.
    public var seatMap: SeatMap
    /// Retrying with the same key returns the same event; empty means none.
    public var idempotencyKey: String
    /// Free-form labels.
    public var labels: [String: String]

    /// Creates a draft.
    public init(name: String, venue: String = "", startsAt: Date? = nil, saleStartsAt: Date, holdTTL: Duration? = nil,
                maxTicketsPerHolder: Int = 0, seatMap: SeatMap, idempotencyKey: String = "",
                labels: [String: String] = [:]) {
        self.name = name
        self.venue = venue
        self.startsAt = startsAt
        self.saleStartsAt = saleStartsAt
        self.holdTTL = holdTTL
        self.maxTicketsPerHolder = maxTicketsPerHolder
        self.seatMap = seatMap
        self.idempotencyKey = idempotencyKey
        self.labels = labels
    }

    /// Checks the draft and expands its seat map.
    ///
    /// - Returns: The layout and the effective hold TTL.
    /// - Throws: ``InventoryError/Code/invalidArgument`` naming what is wrong.
    public func validated(policy: HoldPolicy = .init(), limits: SeatMapLimits = .init())
        throws(InventoryError) -> (layout: EventLayout, holdTTL: Duration) {
        guard !name.isEmpty, name.utf8.count <= limits.maxNameLength else {
            throw .invalidArgument("event name must be 1-\(limits.maxNameLength) bytes")
        }
        guard venue.utf8.count <= limits.maxNameLength else {
            throw .invalidArgument("venue must be at most \(limits.maxNameLength) bytes")
        }
        let ttl = holdTTL ?? policy.defaultTTL
        guard ttl >= policy.minTTL, ttl <= policy.maxTTL else {
            throw .invalidArgument("hold_ttl \(ttl) is outside \(policy.minTTL)...\(policy.maxTTL)")
        }
        guard maxTicketsPerHolder >= 0 else {
            throw .invalidArgument("max_tickets_per_holder \(maxTicketsPerHolder) is negative; use 0 for no cap")
        }
        guard idempotencyKey.utf8.count <= policy.maxIdentifierLength else {
            throw .invalidArgument("idempotency_key is longer than \(policy.maxIdentifierLength) bytes")
        }
        guard labels.count <= 64 else { throw .invalidArgument("an event has at most 64 labels") }
        let layout = try EventLayout(validating: seatMap, limits: limits)
        return (layout, ttl)
    }
}
