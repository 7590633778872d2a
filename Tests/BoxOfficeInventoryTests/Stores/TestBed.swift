import Foundation
import Logging
import Synchronization
import BoxOfficeHarness
import BoxOfficePostgres
import BoxOfficeRedis
import BoxOfficeInventory

/// A wall clock the test moves by hand, so expiry tests need no sleeping.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(millisecondsSince1970: Date().millisecondsSince1970)) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func advance(_ duration: Duration) { current.withLock { $0 = $0.adding(duration) } }

    var read: @Sendable () -> Date { { self.now } }
}

/// A fresh database (and, for the Redis store, a fresh key prefix) with the inventory on top.
struct TestBed {
    let inventory: Inventory
    let postgres: PostgresClient
    let clock: TestClock
    /// The Redis store's client and key prefix, for the Redis store.
    let redis: (client: RedisClient, prefix: String)?

    static let logger = Logger(label: "boxoffice.inventory.tests")

    static func run<Result: Sendable>(
        _ kind: HoldStoreKind, connections: Int = 8, _ body: (TestBed) async throws -> Result
    ) async throws -> Result {
        try await PostgresTestEnvironment.withDatabase("inv") { configuration in
            let client = PostgresClient(configuration: configuration,
                                        options: PostgresPoolOptions(maximumConnections: connections), logger: logger)
            do {
                try await InventorySchema.migrate(client)
                let clock = TestClock()
                let store: any HoldStore
                var redis: (client: RedisClient, prefix: String)?
                switch kind {
                case .postgres: store = PostgresHoldStore(client: client, logger: logger)
                case .redis:
                    let fixture = try await RedisStoreFixture.make(postgres: client)
                    store = fixture.store
                    redis = (fixture.redis, fixture.prefix)
                }
                let inventory = Inventory(catalog: EventCatalog(client: client), store: store, logger: logger,
                                          clock: clock.read)
                do {
                    let result = try await body(TestBed(inventory: inventory, postgres: client, clock: clock, redis: redis))
                    if let redis { await RedisStoreFixture.cleanUp(redis: redis.client, prefix: redis.prefix) }
                    await client.shutdown()
                    return result
                } catch {
                    if let redis { await RedisStoreFixture.cleanUp(redis: redis.client, prefix: redis.prefix) }
                    throw error
                }
            } catch {
                await client.shutdown()
                throw error
            }
        }
    }

    /// An event of `rows` × `seatsPerRow` seats in two sections plus a GA pool, on sale since an hour ago.
    func createEvent(rows: Int = 4, seatsPerRow: Int = 10, gaCapacity: Int = 20, cap: Int = 0,
                     ttl: Duration = .seconds(60), key: String = "") async throws -> Event {
        let half = max(1, rows / 2)
        let map = SeatMap(
            priceTiers: [PriceTier(code: "A", price: Money(amountMinor: 10_000, currency: "USD")),
                         PriceTier(code: "B", price: Money(amountMinor: 4_000, currency: "USD"))],
            sections: [
                SectionSpec(code: "FLOOR", priceTier: "A", rows: (0..<half).map { RowSpec(label: "F\($0)", seatCount: seatsPerRow) }),
                SectionSpec(code: "BALC", priceTier: "B",
                            rows: (0..<(rows - half)).map { RowSpec(label: "B\($0)", seatCount: seatsPerRow) }),
            ].filter { !$0.rows.isEmpty },
            gaPools: [GeneralAdmissionPoolSpec(code: "PIT", priceTier: "B", capacity: gaCapacity)])
        return try await inventory.createEvent(EventDraft(
            name: "Test show", venue: "Hall", saleStartsAt: clock.now.adding(.seconds(-3_600)), holdTTL: ttl,
            maxTicketsPerHolder: cap, seatMap: map, idempotencyKey: key))
    }

    /// Runs SQL that returns one integer.
    func count(_ sql: String, _ bindings: [any PostgresEncodable] = []) async throws -> Int {
        Int(try await postgres.query(sql, bindings)[0].decode(Int64.self, column: 0))
    }
}
