public import BoxOfficePostgres
public import BoxOfficeRedis
public import Logging
import Synchronization

/// Everything one inventory process owns: the PostgreSQL pool, the Redis client (redis store
/// only), the ``Inventory`` on top, and the rounds its background work runs.
///
/// ``start(_:logger:)`` migrates the database, connects, and (redis store) loads every event
/// into Redis from PostgreSQL. The owner calls ``shutdown()`` once, after the server stopped.
public final class InventoryRuntime: Sendable {
    /// How to start.
    public struct Configuration: Sendable {
        /// The inventory database.
        public var postgresURL: String
        /// Which store decides holds.
        public var store: HoldStoreKind
        /// Redis, required for the redis store.
        public var redisURL: String?
        /// Prepended to every Redis key (the cluster passes `NAME:`).
        public var redisPrefix: String
        /// PostgreSQL pool size.
        public var postgresConnections: Int
        /// Redis connections.
        public var redisConnections: Int
        /// Bounds on holds and pins.
        public var policy: HoldPolicy

        /// Creates a configuration.
        public init(postgresURL: String, store: HoldStoreKind, redisURL: String? = nil, redisPrefix: String = "",
                    postgresConnections: Int = 16, redisConnections: Int = 4, policy: HoldPolicy = .init()) {
            self.postgresURL = postgresURL
            self.store = store
            self.redisURL = redisURL
            self.redisPrefix = redisPrefix
            self.postgresConnections = postgresConnections
            self.redisConnections = redisConnections
            self.policy = policy
        }

        /// The key prefix the redis store uses: `redisPrefix` followed by `inventory:`.
        public var storeKeyPrefix: String { redisPrefix + "inventory:" }
    }

    /// The domain the gRPC service serves.
    public let inventory: Inventory
    /// The PostgreSQL pool.
    public let postgres: PostgresClient
    /// The Redis client, for the redis store.
    public let redis: RedisClient?
    private let logger: Logger
    /// Drift subjects of the previous drift round, by event.
    private let lastDrifts = Mutex<[Int64: Set<String>]>([:])

    private init(inventory: Inventory, postgres: PostgresClient, redis: RedisClient?, logger: Logger) {
        self.inventory = inventory
        self.postgres = postgres
        self.redis = redis
        self.logger = logger
    }

    /// Migrates, connects, and readies the hold store.
    ///
    /// - Throws: when PostgreSQL or (redis store) Redis cannot be reached, or a migration fails;
    ///   everything opened so far is closed first.
    public static func start(_ configuration: Configuration, logger: Logger) async throws -> InventoryRuntime {
        let postgres = PostgresClient(configuration: PostgresConfiguration(url: configuration.postgresURL),
                                      options: PostgresPoolOptions(maximumConnections: configuration.postgresConnections),
                                      logger: logger)
        var redis: RedisClient?
        do {
            try await InventorySchema.migrate(postgres, logger: logger)
            let store: any HoldStore
            switch configuration.store {
            case .postgres:
                store = PostgresHoldStore(client: postgres, policy: configuration.policy, logger: logger)
            case .redis:
                guard let url = configuration.redisURL, !url.isEmpty else {
                    throw InventoryError.invalidArgument("the redis store needs a Redis URL (--redis-url)")
                }
                let client = try await RedisClient.connect(configuration: try RedisConfiguration(url: url),
                                                           connectionCount: configuration.redisConnections, logger: logger)
                redis = client
                store = RedisHoldStore(redis: client, postgres: postgres, keyPrefix: configuration.storeKeyPrefix,
                                       policy: configuration.policy, logger: logger)
            }
            let runtime = InventoryRuntime(
                inventory: Inventory(catalog: EventCatalog(client: postgres, policy: configuration.policy), store: store,
                                     policy: configuration.policy, logger: logger),
                postgres: postgres, redis: redis, logger: logger)
            let loaded = try await runtime.loadHotStore()
            logger.info("inventory ready", metadata: ["inventory.store": "\(configuration.store.rawValue)",
                                                      "inventory.events_loaded": "\(loaded)"])
            return runtime
        } catch {
            await redis?.close()
            await postgres.shutdown()
            throw error
        }
    }

    /// Loads every event the hot store lacks from PostgreSQL (redis store; nothing for postgres).
    ///
    /// Run on start and every detection round: an event whose marker is gone from Redis (Redis lost
    /// its data: FLUSHALL, restart without persistence) is rebuilt from PostgreSQL.
    ///
    /// - Returns: How many events were (re)loaded.
    @discardableResult
    public func loadHotStore() async throws(InventoryError) -> Int {
        guard let store = inventory.store as? RedisHoldStore else { return 0 }
        var loaded = 0
        for id in try await inventory.catalog.eventIDs() {
            if try await store.rebuild(try await inventory.catalog.event(id)) { loaded += 1 }
        }
        return loaded
    }

    /// One expiry sweep over every event (see ``Inventory/sweepExpiredHolds(limitPerEvent:)``).
    public func sweepRound() async throws(InventoryError) {
        try await inventory.sweepExpiredHolds()
    }

    /// One drift check over every event: reports each difference between Redis and PostgreSQL (log
    /// warning and the `inventory_hold_store_drift` gauge), rebuilds events Redis lost, and repairs
    /// drift that persisted since the previous round.
    ///
    /// A sale is briefly "sold in PostgreSQL, not yet in Redis" while its confirm finishes, so one
    /// sighting is only reported. The same difference seen again a round later is real (after
    /// Redis lost its data, a rebuild raced a confirm and loaded a stale picture): the event is
    /// reloaded from PostgreSQL, the truth for sales. Holds that lived only in Redis for that event
    /// are dropped, which fails safe (their confirm answers NOT_FOUND; nothing is sold twice).
    ///
    /// - Returns: Differences found, by event.
    @discardableResult
    public func driftRound() async throws(InventoryError) -> [Int64: [Drift]] {
        guard let store = inventory.store as? RedisHoldStore else { return [:] }
        var found: [Int64: [Drift]] = [:]
        var repaired: [Int64] = []
        let previous = lastDrifts.withLock { $0 }
        for id in try await inventory.catalog.eventIDs() {
            let drifts = try await inventory.checkConsistency(eventID: id)
            guard !drifts.isEmpty else { continue }
            found[id] = drifts
            let missing = drifts.contains { $0.hotStoreValue == "missing" }
            let persisted = !Set(drifts.map(\.subject)).isDisjoint(with: previous[id] ?? [])
            if !missing, persisted {
                try await store.rebuild(try await inventory.catalog.event(id), force: true)
                repaired.append(id)
            }
        }
        lastDrifts.withLock { state in
            state = found.filter { !repaired.contains($0.key) }.mapValues { Set($0.map(\.subject)) }
        }
        if !repaired.isEmpty {
            logger.warning("hold store drift persisted; reloaded the events from PostgreSQL",
                           metadata: ["inventory.events": "\(repaired)"])
        }
        let rebuilt = try await loadHotStore()
        if rebuilt > 0 { logger.warning("Redis had lost events; rebuilt them from PostgreSQL", metadata: ["inventory.rebuilt": "\(rebuilt)"]) }
        return found
    }

    /// Closes Redis and PostgreSQL. Call once, after the server stopped.
    public func shutdown() async {
        await redis?.close()
        await postgres.shutdown()
    }
}
