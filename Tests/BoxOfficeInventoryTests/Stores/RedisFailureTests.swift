import Foundation
import Testing
import BoxOfficeHarness
import BoxOfficePostgres
import BoxOfficeRedis
import BoxOfficeInventory

@Suite("Redis store failures")
struct RedisFailureTests {
    @Test("Redis data lost in the middle of a race: rebuilt from PostgreSQL, nothing sold twice")
    func dataLossMidRun() async throws {
        try await TestBed.run(.redis, connections: 16) { bed in
            let event = try await bed.createEvent(rows: 25, seatsPerRow: 40, gaCapacity: 1_000, cap: 0, ttl: .seconds(600))
            let inventory = bed.inventory
            let redis = try #require(bed.redis)
            let keys = try await redis.client.scanAll(matching: redis.prefix + "*")
            #expect(keys.count >= 5)
            let lose: @Sendable () async throws -> Void = {
                // The fault: every key of the event disappears, as after FLUSHALL or a restart without files.
                let current = try await redis.client.scanAll(matching: redis.prefix + "*")
                _ = try await redis.client.delete(current)
            }
            let outcomes = try await withThrowingTaskGroup(of: ConcurrentHoldTests.Outcome.self) { group in
                for client in 0..<32 {
                    group.addTask { try await ConcurrentHoldTests.client(client, event: event, inventory: inventory, disrupt: lose) }
                }
                var all: [ConcurrentHoldTests.Outcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            let sold = outcomes.flatMap(\.sold)
            #expect(!sold.isEmpty)
            let soldSeats = sold.flatMap { $0.seats.map(\.id) }
            #expect(Set(soldSeats).count == soldSeats.count)
            #expect(try await bed.count("SELECT count(*) FROM sold_seats WHERE event_id = $1", [event.id]) == soldSeats.count)
            #expect(try await bed.count("SELECT sold FROM ga_pools WHERE event_id = $1", [event.id])
                == sold.map(\.gaQuantity).reduce(0, +))
            for hold in sold where !hold.seats.isEmpty {
                #expect(try await bed.count("SELECT count(*) FROM seats WHERE event_id = $1 AND hold_id = $2 AND status = 'sold'",
                                            [event.id, hold.id]) == hold.seats.count)
            }
            // A rebuild that raced a confirm may have loaded a picture without that sale: the only
            // drift allowed is the safe one (PostgreSQL sold, Redis not; PostgreSQL refuses any
            // second sale), and reloading from PostgreSQL (what the drift round does when it
            // persists) clears it.
            let drifts = try await inventory.checkConsistency(eventID: event.id)
            #expect(drifts.allSatisfy { $0.hotStoreValue == "not sold" && $0.databaseValue == "sold" }, "\(drifts)")
            if !drifts.isEmpty {
                let store = try #require(inventory.store as? RedisHoldStore)
                try await store.rebuild(event, force: true)
            }
            #expect(try await inventory.checkConsistency(eventID: event.id).isEmpty)
            // Every sold seat is refused to a newcomer.
            if let seat = soldSeats.first {
                let refused = await #expect(throws: InventoryError.self) {
                    try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "late", selection: .specificSeats([seat])))
                }
                #expect(refused?.code == .resourceExhausted)
            }
        }
    }

    @Test("the drift check reports a sale Redis forgot and an event Redis lost; a rebuild clears both")
    func drift() async throws {
        try await TestBed.run(.redis) { bed in
            let event = try await bed.createEvent()
            let inventory = bed.inventory
            let redis = try #require(bed.redis)
            let hold = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "alice", selection: .specificSeats([5])))
            _ = try await inventory.confirmHold(holdID: hold.id, holderID: "alice", orderReference: "o1")
            #expect(try await inventory.checkConsistency(eventID: event.id).isEmpty)
            let base = "\(redis.prefix){ev:\(event.id)}:"
            _ = try await redis.client.send("SETRANGE", base + "seats", 4, "0")
            #expect(try await inventory.checkConsistency(eventID: event.id)
                == [Drift(subject: "seat 5", hotStoreValue: "not sold", databaseValue: "sold")])
            _ = try await redis.client.delete([base + "meta"])
            #expect(try await inventory.checkConsistency(eventID: event.id)
                == [Drift(subject: "event \(event.id)", hotStoreValue: "missing", databaseValue: "present")])
            // The next operation notices and rebuilds from PostgreSQL.
            let refused = await #expect(throws: InventoryError.self) {
                try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "bob", selection: .specificSeats([5])))
            }
            #expect(refused?.code == .resourceExhausted)
            #expect(try await inventory.checkConsistency(eventID: event.id).isEmpty)
        }
    }

    @Test("fails closed with UNAVAILABLE while Redis is down; after a restart without data it rebuilds")
    func redisDown() async throws {
        try await PostgresTestEnvironment.withDatabase("invredis") { configuration in
            let postgres = PostgresClient(configuration: configuration, logger: TestBed.logger)
            let server = try await RedisServer.start()
            let redis = try await RedisClient.connect(configuration: server.configuration, connectionCount: 2,
                                                      logger: TestBed.logger)
            do {
                try await InventorySchema.migrate(postgres)
                let clock = TestClock()
                let store = RedisHoldStore(redis: redis, postgres: postgres, keyPrefix: "", logger: TestBed.logger)
                let inventory = Inventory(catalog: EventCatalog(client: postgres), store: store, logger: TestBed.logger,
                                          clock: clock.read)
                let bed = TestBed(inventory: inventory, postgres: postgres, clock: clock, redis: (redis, ""))
                let event = try await bed.createEvent()
                let sold = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "alice", selection: .specificSeats([1, 2])))
                _ = try await inventory.confirmHold(holdID: sold.id, holderID: "alice", orderReference: "o1")
                let lost = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "bob", selection: .specificSeats([3])))

                await server.kill()
                for attempt in [HoldSelection.specificSeats([4]), .generalAdmission(poolCode: "PIT", quantity: 1),
                                .bestAvailable(quantity: 1, sectionCode: nil, priceTier: nil)] {
                    let down = await #expect(throws: InventoryError.self) {
                        try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "carol", selection: attempt))
                    }
                    #expect(down?.code == .unavailable)
                }
                let confirmDown = await #expect(throws: InventoryError.self) {
                    try await inventory.confirmHold(holdID: lost.id, holderID: "bob", orderReference: "o2")
                }
                #expect(confirmDown?.code == .unavailable)
                #expect(try await bed.count("SELECT count(*) FROM sold_seats WHERE event_id = $1", [event.id]) == 2)

                try await server.restart()
                // The client reconnects in the background; wait for it, bounded.
                var reconnected = false
                for _ in 0..<100 where !reconnected {
                    reconnected = (try? await redis.ping()) != nil
                    if !reconnected { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(reconnected)
                // Redis came back empty: the next call rebuilds from PostgreSQL.
                let refused = await #expect(throws: InventoryError.self) {
                    try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "carol", selection: .specificSeats([2])))
                }
                #expect(refused?.code == .resourceExhausted)
                let lostConfirm = await #expect(throws: InventoryError.self) {
                    try await inventory.confirmHold(holdID: lost.id, holderID: "bob", orderReference: "o2")
                }
                #expect(lostConfirm?.code == .notFound)
                let again = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "carol", selection: .specificSeats([3])))
                #expect(again.seats.map(\.id) == [3])
                #expect(try await inventory.hold(sold.id).status == .confirmed)
                #expect(try await inventory.checkConsistency(eventID: event.id).isEmpty)
            } catch {
                await redis.close()
                await server.stop()
                await postgres.shutdown()
                throw error
            }
            await redis.close()
            await server.stop()
            await postgres.shutdown()
        }
    }
}
