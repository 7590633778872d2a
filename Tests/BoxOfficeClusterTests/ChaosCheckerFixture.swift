import BoxOfficeCluster
import BoxOfficeHarness
import BoxOfficePostgres
import BoxOfficeRedis
import Foundation
import Logging

/// The three services' migrations applied in a fresh database (one schema per service, so each test
/// creates one database, not three) and a Redis key prefix, holding a small, consistent drop: two
/// confirmed bookings (seats and GA), one expired, one refunded. Tests plant one violation on top and
/// check the checker catches it.
struct ChaosCheckerFixture {
    /// One service's tables: a schema of the test database, reached through `search_path`.
    struct ServiceDatabase {
        let url: String
        var configuration: PostgresConfiguration { PostgresConfiguration(url: url) }
    }

    let database: PostgresTestDatabase
    let inventory: ServiceDatabase
    let booking: ServiceDatabase
    let payment: ServiceDatabase
    let redisURL: String
    let redisPrefix: String
    let logger = Logger(label: "test.chaos.checker")

    /// The clean client history that goes with the seeded rows.
    static let history: [ObservedCall] = [
        ObservedCall(operation: .hold, outcome: .unknown, userID: "u1", eventID: 1, idempotencyKey: "k1", line: 1),
        ObservedCall(operation: .hold, outcome: .ok, userID: "u1", eventID: 1, bookingID: "b1", idempotencyKey: "k1",
                     bookingStatus: "HELD", line: 2),
        ObservedCall(operation: .checkout, outcome: .ok, userID: "u1", eventID: 1, bookingID: "b1", idempotencyKey: "c1",
                     bookingStatus: "CONFIRMED", line: 3),
        ObservedCall(operation: .checkout, outcome: .unknown, userID: "u2", eventID: 1, bookingID: "b2", idempotencyKey: "c2", line: 4),
        ObservedCall(operation: .getBooking, outcome: .ok, userID: "u2", eventID: 1, bookingID: "b2", bookingStatus: "BOOKING_STATUS_CONFIRMED", line: 5),
        ObservedCall(operation: .checkout, outcome: .ok, userID: "u4", eventID: 1, bookingID: "b4", idempotencyKey: "c4",
                     bookingStatus: "REFUNDED", line: 6),
    ]

    static func create() async throws -> ChaosCheckerFixture {
        let database = try await PostgresTestEnvironment.createDatabase("chaos")
        func schema(_ name: String) -> ServiceDatabase {
            ServiceDatabase(url: database.url + (database.url.contains("?") ? "&" : "?") + "options=-c%20search_path%3D\(name)")
        }
        let redis = try await RedisTestEnvironment.sharedConfiguration()
        let fixture = ChaosCheckerFixture(
            database: database, inventory: schema("inventory"), booking: schema("booking"), payment: schema("payment"),
            redisURL: "redis://\(redis.host):\(redis.port)", redisPrefix: RedisTestEnvironment.uniqueKeyPrefix("chaos"))
        do {
            try await fixture.migrateAndSeed()
        } catch {
            await fixture.drop()
            throw error
        }
        return fixture
    }

    var sources: AuditSources {
        AuditSources(inventoryDatabaseURL: inventory.url, bookingDatabaseURL: booking.url, paymentDatabaseURL: payment.url,
                     redisURL: redisURL, redisPrefix: redisPrefix)
    }

    /// Reads the stores and checks them with `history`.
    func check(history: [ObservedCall] = Self.history) async throws -> [InvariantViolation] {
        let snapshot = try await AuditReader(sources: sources, logger: logger).read(history: history)
        return HistoryChecker().check(snapshot)
    }

    func run(_ sql: String, in database: ServiceDatabase) async throws {
        let client = PostgresClient(configuration: database.configuration, options: PostgresPoolOptions(maximumConnections: 1), logger: logger)
        do {
            try await client.withConnection { _ = try await $0.simpleQuery(sql) }
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }

    func redis(_ commands: [RedisCommand]) async throws {
        let client = try await RedisClient.connect(configuration: RedisConfiguration(url: redisURL), connectionCount: 1, logger: logger)
        do {
            for reply in try await client.execute(commands) { _ = try reply.throwingServerError() }
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }

    func drop() async {
        try? await database.drop()
        try? await redis([RedisCommand("DEL", "\(redisPrefix){ev:1}:meta", "\(redisPrefix){ev:1}:seats", "\(redisPrefix){ev:1}:avail",
                                       "\(redisPrefix){ev:1}:ga", "\(redisPrefix){ev:1}:expiry")])
    }

    /// `Services/<name>/Schema` in this source tree: the services' own migrations.
    static func schemaDirectory(_ service: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Services/\(service)/Schema").path
    }

    private func migrate(_ database: ServiceDatabase, service: String) async throws {
        let migrator = try PostgresMigrator(migrations: PostgresMigration.load(directory: Self.schemaDirectory(service)), logger: logger)
        _ = try await migrator.migrate(configuration: database.configuration)
    }

    private func migrateAndSeed() async throws {
        try await run("CREATE SCHEMA inventory; CREATE SCHEMA booking; CREATE SCHEMA payment;",
                      in: ServiceDatabase(url: database.url))
        try await migrate(inventory, service: "Inventory")
        try await migrate(booking, service: "Booking")
        try await migrate(payment, service: "Payment")
        try await run(Self.inventorySeed, in: inventory)
        try await run(Self.bookingSeed, in: booking)
        try await run(Self.paymentSeed, in: payment)
        let base = "\(redisPrefix){ev:1}:"
        try await redis([
            RedisCommand("HSET", base + "meta", "loaded", "1", "seats", "4"),
            RedisCommand("SET", base + "seats", "2200"),
            RedisCommand("HSET", base + "avail", "all", "2"),
            RedisCommand("HSET", base + "ga", "GA:cap", "10", "GA:held", "0", "GA:sold", "3"),
        ])
    }

    static let inventorySeed = """
        INSERT INTO events (id, name, sale_starts_at, hold_ttl_ms, seat_map, seat_count, ga_capacity)
            VALUES (1, 'Chaos', now() - interval '1 hour', 60000, '{}', 4, 10);
        INSERT INTO price_tiers VALUES (1, 'A', 'A', 1000, 'USD', 0);
        INSERT INTO sections VALUES (1, 'S', 'S', 'A', 0);
        INSERT INTO seats (event_id, id, section_code, row_label, row_rank, number, position, price_tier)
            SELECT 1, n, 'S', 'A', 0, n, n - 1, 'A' FROM generate_series(1, 4) n;
        INSERT INTO ga_pools (event_id, code, name, price_tier, ordinal, capacity) VALUES (1, 'GA', 'GA', 'A', 0, 10);
        INSERT INTO holds (id, event_id, holder_id, status, store, seat_ids, total_price_minor, currency, created_at, expires_at, order_reference)
            VALUES ('h1', 1, 'u1', 'confirmed', 'postgres', '{1,2}', 2000, 'USD', now() - interval '5 min', now() - interval '1 min', 'b1');
        INSERT INTO holds (id, event_id, holder_id, status, store, ga_pool_code, ga_quantity, total_price_minor, currency, created_at, expires_at, order_reference)
            VALUES ('h2', 1, 'u2', 'confirmed', 'postgres', 'GA', 3, 3000, 'USD', now() - interval '5 min', now() - interval '1 min', 'b2');
        INSERT INTO holds (id, event_id, holder_id, status, store, seat_ids, total_price_minor, currency, created_at, expires_at)
            VALUES ('h3', 1, 'u3', 'expired', 'postgres', '{3}', 1000, 'USD', now() - interval '5 min', now() - interval '4 min'),
                   ('h4', 1, 'u4', 'released', 'postgres', '{4}', 1000, 'USD', now() - interval '5 min', now() - interval '4 min');
        INSERT INTO sales (id, hold_id, event_id, holder_id, total_price_minor, currency, order_reference)
            VALUES ('s1', 'h1', 1, 'u1', 2000, 'USD', 'b1');
        INSERT INTO sales (id, hold_id, event_id, holder_id, ga_pool_code, ga_quantity, total_price_minor, currency, order_reference)
            VALUES ('s2', 'h2', 1, 'u2', 'GA', 3, 3000, 'USD', 'b2');
        INSERT INTO sold_seats VALUES (1, 1, 's1'), (1, 2, 's1');
        UPDATE seats SET status = 'sold', hold_id = 'h1', held_by = 'u1' WHERE event_id = 1 AND id IN (1, 2);
        UPDATE ga_pools SET sold = 3 WHERE event_id = 1 AND code = 'GA';
        """

    static func bookingRow(_ id: String, user: String, step: String, terminal: Bool, hold: String?, payment: String = "",
                           seats: [Int] = [], gaPool: String = "") -> String {
        let status = ["confirmed", "expired", "refunded", "cancelled", "paymentFailed", "held"].contains(step) ? "'\(step)'"
            : (step == "charging" || step == "awaitingPayment" ? "'paymentPending'" : "NULL")
        let seatsJSON = "[" + seats.map { "{\"seatId\":\($0),\"sectionCode\":\"S\",\"row\":\"A\",\"number\":\($0),\"priceTier\":\"A\"}" }
            .joined(separator: ",") + "]"
        return """
            INSERT INTO bookings (id, user_id, event_id, selection_kind, quantity, ga_pool_code, step, status, terminal, version,
                                  wake_up_at, hold_id, seats, payment_id, saga, created_at, updated_at)
            VALUES ('\(id)', '\(user)', 1, '\(gaPool.isEmpty ? "specific" : "general_admission")', \(max(seats.count, 1)), '\(gaPool)',
                    '\(step)', \(status), \(terminal), 3, \(terminal ? "NULL" : "now()"), \(hold.map { "'\($0)'" } ?? "NULL"),
                    '\(seatsJSON)', '\(payment)', '{}', now() - interval '5 min', now());
            """
    }

    static let bookingSeed = [
        bookingRow("b1", user: "u1", step: "confirmed", terminal: true, hold: "h1", payment: "p1", seats: [1, 2]),
        bookingRow("b2", user: "u2", step: "confirmed", terminal: true, hold: "h2", payment: "p2", gaPool: "GA"),
        bookingRow("b3", user: "u3", step: "expired", terminal: true, hold: "h3", seats: [3]),
        bookingRow("b4", user: "u4", step: "refunded", terminal: true, hold: "h4", payment: "p4", seats: [4]),
        "INSERT INTO idempotency_records VALUES ('u1', 'hold', 'k1', 'fp', 'b1', NULL, now());",
    ].joined(separator: "\n")

    static func paymentRow(_ id: String, booking: String, status: String, amount: Int = 1000, refunded: Int = 0) -> String {
        let charge = status == "CAPTURED" || status == "REFUNDED" ? "'ch_\(id)'" : "NULL"
        return """
            INSERT INTO payments (id, booking_id, amount_minor, currency, status, payment_token, provider_idempotency_key,
                                  provider_charge_id, refunded_minor, deadline)
            VALUES ('\(id)', '\(booking)', \(amount), 'USD', '\(status)', 'tok_approve', 'idem_\(id)', \(charge), \(refunded), now());
            """
    }

    static let paymentSeed = [
        paymentRow("p1", booking: "b1", status: "CAPTURED", amount: 2000),
        paymentRow("p2", booking: "b2", status: "CAPTURED", amount: 3000),
        paymentRow("p4", booking: "b4", status: "REFUNDED", amount: 1000, refunded: 1000),
    ].joined(separator: "\n")
}
