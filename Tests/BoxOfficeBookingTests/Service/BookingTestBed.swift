import BoxOfficeAPI
import BoxOfficeBooking
import BoxOfficeHarness
import BoxOfficePostgres
import BoxOfficeRPC
import Foundation
import Logging
import Testing

/// A booking service on its own fresh database with fake inventory and payment servers, all on
/// port 0, reached through a real gRPC client. Saga timings are shortened so retries and polls
/// happen within a test.
struct BookingTestBed {
    static let secret = "booking-test-secret"

    let inventory: FakeInventory
    let payment: FakePayment
    let store: BookingStore
    let driver: SagaDriver
    let client: Boxoffice_Booking_V1_BookingService.Client
    let signer: AdmissionTokenSigner
    let peers: BookingPeers

    static var testPolicy: SagaPolicy {
        var policy = SagaPolicy()
        policy.callTimeout = .seconds(3)
        policy.chargeTimeout = .seconds(5)
        policy.initialBackoff = .milliseconds(20)
        policy.maximumBackoff = .milliseconds(200)
        policy.pollInterval = .milliseconds(100)
        policy.maximumPollInterval = .milliseconds(200)
        policy.lostCallGrace = .milliseconds(300)
        return policy
    }

    static let logger = Logger(label: "booking-test") { _ in SwiftLogNoOpLogHandler() }

    /// Runs `body` against a fresh bed and tears everything down afterwards.
    static func run(timing: BookingService.Timing = BookingService.Timing(), timerHorizon: Duration = .seconds(120),
                    rateLimiter: UserRateLimiter? = nil, holdHealth: DownstreamHealthTracker? = nil,
                    _ body: (BookingTestBed) async throws -> Void) async throws {
        let database = try await PostgresTestEnvironment.createDatabase("booking")
        let postgres = PostgresClient(configuration: database.configuration, logger: logger)
        let inventory = FakeInventory()
        let payment = FakePayment()
        var peerRouter = RPCRouter()
        inventory.registerMethods(with: &peerRouter)
        payment.registerMethods(with: &peerRouter)
        let peerServer = GRPCServer(configuration: .init(shutdownGracePeriod: .seconds(1)), router: peerRouter, logger: logger)
        let peerTask = Task { try await peerServer.run() }
        var channels: [GRPCChannel] = []
        var bookingServer: GRPCServer?
        var bookingTask: Task<Void, any Error>?
        var driver: SagaDriver?
        let outcome: Result<Void, any Error>
        do {
            try await BookingSchema.migrate(postgres, logger: logger)
            let peerChannel = GRPCChannel(endpoints: [ClientEndpoint(host: "127.0.0.1", port: try await peerServer.listeningPort)])
            channels.append(peerChannel)
            let peers = BookingPeers(inventory: .init(wrapping: GRPCClient(channel: peerChannel)),
                                     payment: .init(wrapping: GRPCClient(channel: peerChannel)))
            let store = BookingStore(client: postgres)
            let sagaDriver = SagaDriver(store: store, peers: peers, policy: testPolicy, crashPoints: .disarmed,
                                         inProcessTimerHorizon: timerHorizon, holdHealth: holdHealth, logger: logger)
            driver = sagaDriver
            let signer = try AdmissionTokenSigner(secret: secret)
            let service = BookingService(driver: sagaDriver, admission: signer, waitingRoom: nil, rateLimiter: rateLimiter,
                                         timing: timing, logger: logger)
            var router = RPCRouter()
            service.registerMethods(with: &router)
            let server = GRPCServer(configuration: .init(shutdownGracePeriod: .seconds(1)), router: router, logger: logger)
            bookingServer = server
            bookingTask = Task { try await server.run() }
            let channel = GRPCChannel(endpoints: [ClientEndpoint(host: "127.0.0.1", port: try await server.listeningPort)])
            channels.append(channel)
            let bed = BookingTestBed(inventory: inventory, payment: payment, store: store, driver: sagaDriver,
                                     client: .init(wrapping: GRPCClient(channel: channel)), signer: signer, peers: peers)
            outcome = await Result(catching: { try await body(bed) })
        } catch {
            outcome = .failure(error)
        }
        for channel in channels { await channel.close() }
        bookingServer?.beginGracefulShutdown()
        _ = try? await bookingTask?.value
        await driver?.shutdown()
        peerServer.beginGracefulShutdown()
        _ = try? await peerTask.value
        await postgres.shutdown()
        try? await database.drop()
        try outcome.get()
    }

    /// A valid admission token for `user` and `event`.
    func token(user: String, event: Int64 = 7, validFor: TimeInterval = 600) -> String {
        signer.sign(userID: user, eventID: event, expiresAt: Date().addingTimeInterval(validFor)).token
    }

    /// A HoldSeats request for `quantity` general-admission tickets.
    func holdRequest(user: String, key: String, quantity: Int32 = 2, event: Int64 = 7) -> Boxoffice_Booking_V1_HoldSeatsRequest {
        var request = Boxoffice_Booking_V1_HoldSeatsRequest()
        request.admissionToken = token(user: user, event: event)
        request.userID = user
        request.eventID = event
        var ga = Boxoffice_Booking_V1_GeneralAdmission()
        ga.poolCode = "floor"
        ga.quantity = quantity
        request.selection = .generalAdmission(ga)
        request.idempotencyKey = key
        return request
    }

    /// Holds and returns the HELD booking.
    func hold(user: String, key: String = UUID().uuidString, quantity: Int32 = 2) async throws -> Boxoffice_Booking_V1_Booking {
        try #require(try await client.holdSeats(holdRequest(user: user, key: key, quantity: quantity)).booking)
    }

    /// Checks out a booking.
    func checkout(_ booking: Boxoffice_Booking_V1_Booking, token: String = "tok_visa",
                  key: String = "") async throws -> Boxoffice_Booking_V1_Booking {
        var request = Boxoffice_Booking_V1_CheckoutRequest()
        request.bookingID = booking.id
        request.userID = booking.userID
        request.paymentToken = token
        request.idempotencyKey = key
        return try #require(try await client.checkout(request).booking)
    }

    /// The stored booking, as GetBooking answers.
    func get(_ id: String, user: String = "") async throws -> Boxoffice_Booking_V1_Booking {
        var request = Boxoffice_Booking_V1_GetBookingRequest()
        request.bookingID = id
        request.userID = user
        return try #require(try await client.getBooking(request).booking)
    }

    /// Waits (bounded by `timeout`) until the stored saga is terminal; returns it.
    func terminal(_ id: String, timeout: Duration = .seconds(10)) async throws -> BookingRecord {
        try #require(try await driver.waitFor(id, timeout: timeout) { $0.saga.isTerminal })
    }
}

/// Expects `body` to fail with `code`; returns the error.
@discardableResult
func expectStatus(_ code: RPCError.Code, _ body: () async throws -> Void,
                  sourceLocation: SourceLocation = #_sourceLocation) async -> RPCError? {
    do {
        try await body()
        Issue.record("expected \(code), the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as RPCError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
