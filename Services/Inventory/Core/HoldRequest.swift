/// What a hold asks for (the `selection` oneof of `HoldSeatsRequest`).
public enum HoldSelection: Sendable, Hashable {
    /// These seats, all or nothing.
    case specificSeats([Int64])
    /// The best `quantity` adjacent seats in one row, of `sectionCode` and/or `priceTier` when given.
    case bestAvailable(quantity: Int, sectionCode: String?, priceTier: String?)
    /// `quantity` units of a GA pool.
    case generalAdmission(poolCode: String, quantity: Int)
}

/// A request to hold seats or GA units (`HoldSeatsRequest`).
public struct HoldRequest: Sendable, Hashable {
    /// The event.
    public var eventID: Int64
    /// Who holds (the booking service passes the user id).
    public var holderID: String
    /// What to hold.
    public var selection: HoldSelection
    /// How long the hold lives; the event's TTL when `nil`.
    public var ttl: Duration?
    /// Retrying with the same key (same holder, same event) returns the same hold; empty means none.
    public var idempotencyKey: String

    /// Creates a request.
    public init(eventID: Int64, holderID: String, selection: HoldSelection, ttl: Duration? = nil,
                idempotencyKey: String = "") {
        self.eventID = eventID
        self.holderID = holderID
        self.selection = selection
        self.ttl = ttl
        self.idempotencyKey = idempotencyKey
    }
}

/// Service-wide bounds on holds and pins.
public struct HoldPolicy: Sendable, Hashable {
    /// Shortest TTL a request may ask for.
    public var minTTL: Duration = .seconds(1)
    /// Longest TTL a request or an event may ask for.
    public var maxTTL: Duration = .seconds(3_600)
    /// TTL of an event created without one.
    public var defaultTTL: Duration = .seconds(600)
    /// Longest single pin (`pin_for`).
    public var maxPin: Duration = .seconds(900)
    /// No pin keeps a hold past its creation plus this.
    public var maxHoldLifetime: Duration = .seconds(7_200)
    /// Most seats or units in one request.
    public var maxQuantityPerRequest: Int = 100
    /// Longest holder id, idempotency key or order reference.
    public var maxIdentifierLength: Int = 128

    /// The default policy.
    public init() {}
}
