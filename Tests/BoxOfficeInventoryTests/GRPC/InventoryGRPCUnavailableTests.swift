import Foundation
import Testing
import BoxOfficeAPI
import BoxOfficeHarness
import BoxOfficeInventory
import BoxOfficePostgres
import BoxOfficeRPC
import BoxOfficeRedis

/// The redis store fails closed: while Redis is unreachable every deciding call is UNAVAILABLE on
/// the wire, and nothing is sold.
@Suite("Inventory gRPC while Redis is down")
struct InventoryGRPCUnavailableTests {
    @Test("every InventoryError code keeps its gRPC status on the wire")
    func mapping() {
        let codes: [(InventoryError.Code, RPCError.Code)] = [
            (.invalidArgument, .invalidArgument), (.notFound, .notFound), (.alreadyExists, .alreadyExists),
            (.resourceExhausted, .resourceExhausted), (.failedPrecondition, .failedPrecondition), (.aborted, .aborted),
            (.internalError, .internal), (.unavailable, .unavailable),
        ]
        for (domain, wire) in codes {
            let error = InventoryError(domain, "because").rpcError
            #expect(error.code == wire)
            #expect(error.message == "because")
        }
    }

    @Test("HoldSeats, ConfirmHold and GetAvailability answer UNAVAILABLE while Redis is down")
    func redisDown() async throws {
        try await PostgresTestEnvironment.withDatabase("invgrpcdown") { configuration in
            let postgres = PostgresClient(configuration: configuration, logger: TestBed.logger)
            let server = try await RedisServer.start()
            let redis = try await RedisClient.connect(configuration: server.configuration, connectionCount: 2, logger: TestBed.logger)
            do {
                try await InventorySchema.migrate(postgres)
                let clock = TestClock()
                let inventory = Inventory(catalog: EventCatalog(client: postgres),
                                          store: RedisHoldStore(redis: redis, postgres: postgres, keyPrefix: "", logger: TestBed.logger),
                                          logger: TestBed.logger, clock: clock.read)
                try await GRPCTestBed.serve(inventory) { client in
                    let event = try #require(try await client.createEvent(
                        Wire.createEvent(saleStartsAt: clock.now.adding(.seconds(-60)))).event)
                    let held = try #require(try await client.holdSeats(Wire.hold(event.id, "alice", seats: [1])).hold)
                    await server.kill()
                    let message = await expectStatus(.unavailable) { try await client.holdSeats(Wire.hold(event.id, "bob", seats: [2])) }
                    #expect(message?.contains("Redis") == true)
                    await expectStatus(.unavailable) { try await client.holdSeats(Wire.holdGA(event.id, "bob", quantity: 1)) }
                    await expectStatus(.unavailable) { try await client.confirmHold(Wire.confirm(held.id, "alice", order: "o")) }
                    await expectStatus(.unavailable) { try await client.getAvailability(Wire.availability(event.id)) }
                    let sold = try await postgres.query("SELECT count(*) FROM sold_seats")[0].decode(Int64.self, column: 0)
                    #expect(sold == 0)
                }
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
