import Foundation
import Testing
import BoxOfficeHarness
import BoxOfficePostgres
import BoxOfficeRedis
import BoxOfficeInventory

/// What `boxoffice serve inventory` runs beside its gRPC face: migrations from the bundled
/// Schema resources, Redis loaded from PostgreSQL on start, and the drift round that finds data
/// Redis lost and rebuilds it.
@Suite("Inventory runtime")
struct InventoryRuntimeTests {
    @Test("start migrates and loads Redis; lost Redis data is reported by the drift round and rebuilt; restart reloads")
    func redisLossAndRestart() async throws {
        let database = try await PostgresTestEnvironment.createDatabase("invrt")
        let redisConfiguration = try await RedisTestEnvironment.sharedConfiguration()
        let configuration = InventoryRuntime.Configuration(
            postgresURL: database.url, store: .redis,
            redisURL: "redis://\(redisConfiguration.host):\(redisConfiguration.port)",
            redisPrefix: "invrt-\(UUID().uuidString.prefix(12)):", postgresConnections: 4, redisConnections: 2)
        let redis = try await RedisClient.connect(configuration: redisConfiguration, connectionCount: 1, logger: TestBed.logger)
        func loseRedisData() async throws {
            let keys = try await redis.scanAll(matching: configuration.redisPrefix + "*")
            if !keys.isEmpty { _ = try await redis.delete(keys) }
        }
        do {
            var runtime = try await InventoryRuntime.start(configuration, logger: TestBed.logger)
            do {
                let migrations = try await runtime.postgres.query("SELECT count(*) FROM schema_migrations")[0].decode(Int64.self, column: 0)
                #expect(migrations >= 1)
                let inventory = runtime.inventory
                let event = try await inventory.createEvent(EventDraft(
                    name: "Runtime", saleStartsAt: Date(timeIntervalSinceNow: -60),
                    seatMap: SeatMap(priceTiers: [PriceTier(code: "A", price: Money(amountMinor: 100, currency: "USD"))],
                                     sections: [SectionSpec(code: "S", priceTier: "A", rows: [RowSpec(label: "1", seatCount: 10)])])))
                let sold = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "alice", selection: .specificSeats([1])))
                _ = try await inventory.confirmHold(holdID: sold.id, holderID: "alice", orderReference: "o-1")
                #expect(try await runtime.driftRound().isEmpty)

                try await loseRedisData()
                let found = try await runtime.driftRound()
                #expect(found[event.id]?.map(\.hotStoreValue) == ["missing"])
                // Rebuilt in the same round: consistent again, and the sold seat stays sold.
                #expect(try await runtime.driftRound().isEmpty)
                #expect(try await runtime.loadHotStore() == 0)
                let refused = await #expect(throws: InventoryError.self) {
                    try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "bob", selection: .specificSeats([1])))
                }
                #expect(refused?.code == .resourceExhausted)

                // A sale Redis does not show: reported once, repaired when it is still there a round later.
                let seats = InventoryScriptSources.keys(prefix: configuration.storeKeyPrefix, eventID: event.id)[1]
                _ = try await redis.execute([RedisCommand("SETRANGE", seats, 0, "0")])
                #expect(try await runtime.driftRound()[event.id]?.map(\.subject) == ["seat 1"])
                #expect(try await runtime.driftRound()[event.id]?.map(\.subject) == ["seat 1"])
                #expect(try await runtime.driftRound().isEmpty)

                // A process that starts while Redis is empty loads every event before serving.
                await runtime.shutdown()
                try await loseRedisData()
                runtime = try await InventoryRuntime.start(configuration, logger: TestBed.logger)
                let meta = InventoryScriptSources.keys(prefix: configuration.storeKeyPrefix, eventID: event.id)[0]
                #expect(try await redis.hget(meta, field: "loaded") == Array("1".utf8))
                #expect(try await runtime.inventory.checkConsistency(eventID: event.id).isEmpty)
            } catch {
                await runtime.shutdown()
                throw error
            }
            await runtime.shutdown()
        } catch {
            try? await loseRedisData()
            await redis.close()
            try? await database.drop()
            throw error
        }
        try await loseRedisData()
        await redis.close()
        try await database.drop()
    }

    @Test("the postgres store needs no Redis and its drift round has nothing to compare")
    func postgresStore() async throws {
        let database = try await PostgresTestEnvironment.createDatabase("invrtpg")
        do {
            let runtime = try await InventoryRuntime.start(
                .init(postgresURL: database.url, store: .postgres, redisURL: nil, postgresConnections: 2), logger: TestBed.logger)
            #expect(runtime.redis == nil)
            #expect(try await runtime.driftRound().isEmpty)
            try await runtime.sweepRound()
            await runtime.shutdown()
        } catch {
            try? await database.drop()
            throw error
        }
        try await database.drop()
    }

    @Test("the redis store without a Redis URL refuses to start")
    func redisStoreNeedsURL() async throws {
        let database = try await PostgresTestEnvironment.createDatabase("invrtnourl")
        let refused = await #expect(throws: InventoryError.self) {
            _ = try await InventoryRuntime.start(.init(postgresURL: database.url, store: .redis, redisURL: nil), logger: TestBed.logger)
        }
        #expect(refused?.code == .invalidArgument)
        try await database.drop()
    }
}
