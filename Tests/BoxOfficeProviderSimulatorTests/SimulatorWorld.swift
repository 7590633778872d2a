import BoxOfficeAPI
import BoxOfficeProviderSimulator
import BoxOfficeRPC
import Logging

/// Webhook secret shared by the simulator and the tests' signature checks.
let testWebhookSecret = "whsec_test_provider_sim"

extension SimulatorConfiguration {
    /// Short delays so every token's behaviour shows within a second.
    static let fastTest = SimulatorConfiguration(
        baseLatency: .milliseconds(5), callerTimeout: .milliseconds(400), lateAnswerMargin: .milliseconds(400),
        webhookDelay: .milliseconds(300), outOfOrderHold: .seconds(1),
        webhookRetry: RetryBackoff(initial: .milliseconds(30), maximum: .milliseconds(200), maxAttempts: 5))
}

/// A running simulator (its own gRPC server on port 0, webhook delivery running) whose webhooks
/// go to a fake receiver on another server, with a client of the simulator.
struct SimulatorWorld: Sendable {
    var provider: Boxoffice_Provider_V1_ProviderService.Client
    var receiver: WebhookRecorder
    var simulator: ProviderSimulator
}

/// Runs `body` against a fresh simulator world; stops everything afterwards, also on failure.
func withSimulator(
    configuration: SimulatorConfiguration = .fastTest, seed: UInt64 = 1, receiver: WebhookRecorder = WebhookRecorder(),
    _ body: @Sendable (SimulatorWorld) async throws -> Void
) async throws {
    var logger = Logger(label: "boxoffice.test.provider-sim")
    logger.logLevel = .warning
    var receiverRouter = RPCRouter()
    receiver.registerMethods(with: &receiverRouter)
    let receiverServer = GRPCServer(configuration: .init(port: 0, shutdownGracePeriod: .milliseconds(100)),
                                    router: receiverRouter, logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await receiverServer.run() }
        defer { group.cancelAll() }
        let receiverChannel = GRPCChannel(host: "127.0.0.1", port: try await receiverServer.listeningPort)
        let simulator = ProviderSimulator(
            configuration: configuration, seed: seed, webhooks: .init(secret: testWebhookSecret, attemptTimeout: .seconds(2)),
            webhookReceiver: Boxoffice_Provider_V1_WebhookReceiver.Client(wrapping: GRPCClient(channel: receiverChannel)),
            logger: logger)
        var router = RPCRouter()
        simulator.register(on: &router)
        let server = GRPCServer(configuration: .init(port: 0, shutdownGracePeriod: .milliseconds(100)),
                                router: router, logger: logger)
        group.addTask { try await server.run() }
        for work in simulator.backgroundWork {
            group.addTask { try await work.run() }
        }
        let channel = GRPCChannel(host: "127.0.0.1", port: try await server.listeningPort)
        let world = SimulatorWorld(provider: .init(wrapping: GRPCClient(channel: channel)), receiver: receiver,
                                   simulator: simulator)
        let outcome: Result<Void, any Error>
        do {
            try await body(world)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await channel.close()
        await receiverChannel.close()
        try outcome.get()
    }
}

/// A CreateCharge request with a fresh idempotency key.
func chargeRequest(_ token: String, amount: Int64 = 4_200, currency: String = "EUR",
                   key: String = "key-\(UInt64.random(in: 1...UInt64.max))") -> Boxoffice_Provider_V1_CreateChargeRequest {
    var request = Boxoffice_Provider_V1_CreateChargeRequest()
    request.idempotencyKey = key
    request.amount = amount
    request.currency = currency
    request.paymentToken = token
    request.metadata = ["booking_id": key]
    return request
}

/// GetCharge by idempotency key.
func lookup(key: String) -> Boxoffice_Provider_V1_GetChargeRequest {
    var request = Boxoffice_Provider_V1_GetChargeRequest()
    request.idempotencyKey = key
    return request
}

/// GetCharge by charge id.
func lookup(id: String) -> Boxoffice_Provider_V1_GetChargeRequest {
    var request = Boxoffice_Provider_V1_GetChargeRequest()
    request.chargeID = id
    return request
}

/// The gRPC status code `body` fails with; nil when it succeeds.
func statusCode(of body: () async throws -> Void) async -> RPCError.Code? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch {
        return .unknown
    }
}
