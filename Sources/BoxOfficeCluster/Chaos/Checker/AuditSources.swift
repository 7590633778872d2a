/// Where the ``AuditReader`` reads: each service's database and, for the Redis hold store, Redis.
public struct AuditSources: Sendable, Hashable {
    /// The inventory service's database.
    public var inventoryDatabaseURL: String
    /// The booking service's database.
    public var bookingDatabaseURL: String
    /// The payment service's database.
    public var paymentDatabaseURL: String
    /// Nil when the inventory uses the PostgreSQL hold store.
    public var redisURL: String?
    /// The inventory hold store's key prefix: its `--redis-prefix` (the cluster's `NAME:`) followed by `inventory:`.
    public var redisPrefix: String

    /// Creates a value from its fields.
    public init(inventoryDatabaseURL: String, bookingDatabaseURL: String, paymentDatabaseURL: String,
                redisURL: String? = nil, redisPrefix: String = "") {
        self.inventoryDatabaseURL = inventoryDatabaseURL
        self.bookingDatabaseURL = bookingDatabaseURL
        self.paymentDatabaseURL = paymentDatabaseURL
        self.redisURL = redisURL
        self.redisPrefix = redisPrefix
    }
}
