import Foundation
import Logging
import Testing
import BoxOfficeAPI
import BoxOfficeInventory
import BoxOfficeRPC
import BoxOfficeStandardServices

typealias InventoryClient = Boxoffice_Inventory_V1_InventoryService.Client

/// The inventory's gRPC face on 127.0.0.1, port 0, over a fresh ``TestBed``, with our generated
/// client connected to it; everything is shut down afterwards, also on failure.
enum GRPCTestBed {
    static func run(_ kind: HoldStoreKind, _ body: @Sendable (InventoryClient, TestBed) async throws -> Void) async throws {
        try await TestBed.run(kind) { bed in
            try await serve(bed.inventory) { client in try await body(client, bed) }
        }
    }

    /// Serves `inventory` on port 0 for the length of `body`.
    static func serve(_ inventory: Inventory, _ body: (InventoryClient) async throws -> Void) async throws {
        var router = RPCRouter()
        InventoryGRPCService(inventory: inventory).registerMethods(with: &router)
        router.registerStandardServices(health: HealthStatusRegistry())
        var logger = Logger(label: "boxoffice.inventory.tests.grpc")
        logger.logLevel = .warning
        let server = GRPCServer(configuration: GRPCServer.Configuration(host: "127.0.0.1", port: 0,
                                                                        shutdownGracePeriod: .seconds(2)),
                                router: router, logger: logger)
        let running = Task { try await server.run() }
        let channel: GRPCChannel
        do {
            channel = GRPCChannel(host: "127.0.0.1", port: try await server.listeningPort)
        } catch {
            server.beginGracefulShutdown()
            _ = try? await running.value
            throw error
        }
        let outcome: Result<Void, any Error>
        do {
            try await body(InventoryClient(wrapping: GRPCClient(channel: channel)))
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await channel.close()
        server.beginGracefulShutdown()
        try await running.value
        try outcome.get()
    }
}

/// Wire builders for the tests.
enum Wire {
    static func money(_ amount: Int64, _ currency: String = "USD") -> Boxoffice_Common_V1_Money {
        var money = Boxoffice_Common_V1_Money()
        money.amountMinor = amount
        money.currency = currency
        return money
    }

    /// Two sections of `rows` × `seatsPerRow` seats (tiers A and B) and a GA pool `PIT`.
    static func seatMap(rows: Int = 2, seatsPerRow: Int = 10, gaCapacity: Int32 = 10) -> Boxoffice_Inventory_V1_SeatMap {
        var map = Boxoffice_Inventory_V1_SeatMap()
        for (code, price) in [("A", Int64(10_000)), ("B", 4_000)] {
            var tier = Boxoffice_Inventory_V1_PriceTier()
            tier.code = code
            tier.price = money(price)
            map.priceTiers.append(tier)
        }
        for (code, tier) in [("FLOOR", "A"), ("BALC", "B")] {
            var section = Boxoffice_Inventory_V1_SectionSpec()
            section.code = code
            section.priceTier = tier
            section.rows = (0..<rows).map { index in
                var row = Boxoffice_Inventory_V1_RowSpec()
                row.label = "\(code.prefix(1))\(index)"
                row.seatCount = Int32(seatsPerRow)
                return row
            }
            map.sections.append(section)
        }
        var pool = Boxoffice_Inventory_V1_GeneralAdmissionPoolSpec()
        pool.code = "PIT"
        pool.priceTier = "B"
        pool.capacity = gaCapacity
        map.gaPools = [pool]
        return map
    }

    static func createEvent(saleStartsAt: Date, key: String = "", cap: Int32 = 0, ttlSeconds: Int64 = 60,
                            map: Boxoffice_Inventory_V1_SeatMap? = seatMap()) -> Boxoffice_Inventory_V1_CreateEventRequest {
        var request = Boxoffice_Inventory_V1_CreateEventRequest()
        request.name = "Show"
        request.venue = "Hall"
        request.saleStartsAt = Google_Protobuf_Timestamp(date: saleStartsAt)
        request.holdTtl = duration(seconds: ttlSeconds)
        request.maxTicketsPerHolder = cap
        request.seatMap = map
        request.idempotencyKey = key
        request.labels = ["genre": "rock"]
        return request
    }

    static func duration(seconds: Int64, nanos: Int32 = 0) -> Google_Protobuf_Duration {
        var duration = Google_Protobuf_Duration()
        duration.seconds = seconds
        duration.nanos = nanos
        return duration
    }

    static func hold(_ eventID: Int64, _ holder: String, seats: [Int64], key: String = "") -> Boxoffice_Inventory_V1_HoldSeatsRequest {
        var request = Boxoffice_Inventory_V1_HoldSeatsRequest()
        request.eventID = eventID
        request.holderID = holder
        var specific = Boxoffice_Inventory_V1_SpecificSeats()
        specific.seatIds = seats
        request.selection = .specificSeats(specific)
        request.idempotencyKey = key
        return request
    }

    static func holdBest(_ eventID: Int64, _ holder: String, quantity: Int32, section: String = "") -> Boxoffice_Inventory_V1_HoldSeatsRequest {
        var request = Boxoffice_Inventory_V1_HoldSeatsRequest()
        request.eventID = eventID
        request.holderID = holder
        var best = Boxoffice_Inventory_V1_BestAvailable()
        best.quantity = quantity
        best.sectionCode = section
        request.selection = .bestAvailable(best)
        return request
    }

    static func holdGA(_ eventID: Int64, _ holder: String, quantity: Int32, pool: String = "PIT") -> Boxoffice_Inventory_V1_HoldSeatsRequest {
        var request = Boxoffice_Inventory_V1_HoldSeatsRequest()
        request.eventID = eventID
        request.holderID = holder
        var ga = Boxoffice_Inventory_V1_GeneralAdmission()
        ga.poolCode = pool
        ga.quantity = quantity
        request.selection = .generalAdmission(ga)
        return request
    }

    static func confirm(_ holdID: String, _ holder: String, order: String) -> Boxoffice_Inventory_V1_ConfirmHoldRequest {
        var request = Boxoffice_Inventory_V1_ConfirmHoldRequest()
        request.holdID = holdID
        request.holderID = holder
        request.orderReference = order
        return request
    }

    static func release(_ holdID: String, _ holder: String) -> Boxoffice_Inventory_V1_ReleaseHoldRequest {
        var request = Boxoffice_Inventory_V1_ReleaseHoldRequest()
        request.holdID = holdID
        request.holderID = holder
        return request
    }

    static func pin(_ holdID: String, _ holder: String, seconds: Int64?) -> Boxoffice_Inventory_V1_PinHoldRequest {
        var request = Boxoffice_Inventory_V1_PinHoldRequest()
        request.holdID = holdID
        request.holderID = holder
        request.pinFor = seconds.map { duration(seconds: $0) }
        return request
    }

    static func getHold(_ holdID: String) -> Boxoffice_Inventory_V1_GetHoldRequest {
        var request = Boxoffice_Inventory_V1_GetHoldRequest()
        request.holdID = holdID
        return request
    }

    static func event(_ id: Int64) -> Boxoffice_Inventory_V1_GetEventRequest {
        var request = Boxoffice_Inventory_V1_GetEventRequest()
        request.eventID = id
        return request
    }

    static func availability(_ id: Int64, section: String = "") -> Boxoffice_Inventory_V1_GetAvailabilityRequest {
        var request = Boxoffice_Inventory_V1_GetAvailabilityRequest()
        request.eventID = id
        request.sectionCode = section
        return request
    }

    static func consistency(_ id: Int64) -> Boxoffice_Inventory_V1_CheckConsistencyRequest {
        var request = Boxoffice_Inventory_V1_CheckConsistencyRequest()
        request.eventID = id
        return request
    }
}

/// Runs `call`, which must fail with `code`; returns the error's message.
@discardableResult
func expectStatus<Answer>(_ code: RPCError.Code, _ call: () async throws -> Answer,
                  sourceLocation: SourceLocation = #_sourceLocation) async -> String? {
    do {
        _ = try await call()
        Issue.record("expected \(code), got an answer", sourceLocation: sourceLocation)
        return nil
    } catch let error as RPCError {
        #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
        return error.message
    } catch {
        Issue.record("expected RPCError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
