import BoxOfficeAPI
import BoxOfficePayment
import BoxOfficePostgres
import BoxOfficeProto
import BoxOfficeProviderSimulator
import BoxOfficeRPC
import Foundation
import Logging
import Testing

/// Webhook secret shared by the simulator and the payment service in the live tests.
let liveWebhookSecret = "whsec_live_payment_tests"

extension PaymentPolicy {
    /// Short timings so every token settles within a couple of seconds.
    static let liveTest = PaymentPolicy(
        providerTimeout: .milliseconds(2_000),
        reconciler: ReconcilerPolicy(checkBackoff: Backoff(initial: .milliseconds(100), maximum: .milliseconds(400)),
                                     maxChecks: 10, pendingBound: .seconds(60), notFoundGrace: .seconds(1)),
        notificationRetry: Backoff(initial: .milliseconds(30), maximum: .milliseconds(200)))
}

extension SimulatorConfiguration {
    /// The simulator's delays, matched to ``PaymentPolicy/liveTest``.
    static let liveTest = SimulatorConfiguration(
        baseLatency: .milliseconds(5), callerTimeout: .milliseconds(2_000), lateAnswerMargin: .milliseconds(150),
        webhookDelay: .milliseconds(300), outOfOrderHold: .milliseconds(300),
        webhookRetry: RetryBackoff(initial: .milliseconds(30), maximum: .milliseconds(200), maxAttempts: 20))
}

/// The payment service on gRPC with its PostgreSQL store, the real provider simulator (its own
/// server, its webhooks signed and sent to the payment service), a fake booking service recording
/// outcomes, and the reconciler and outbox relay running every 25 ms.
struct LivePaymentWorld: Sendable {
    let payments: Boxoffice_Payment_V1_PaymentService.Client
    let webhooks: Boxoffice_Provider_V1_WebhookReceiver.Client
    let booking: BookingOutcomeRecorder
    let simulator: ProviderSimulator
    let store: PostgresPaymentStore
    let database: PostgresClient

    /// A Charge for `booking` with `token`, decided within ten minutes.
    func chargeRequest(_ booking: String, token: String, amount: Int64 = 2_500, currency: String = "USD",
                       deadline: Date = Date().addingTimeInterval(600)) -> Boxoffice_Payment_V1_ChargeRequest {
        var request = Boxoffice_Payment_V1_ChargeRequest()
        request.bookingID = booking
        var money = Boxoffice_Common_V1_Money()
        money.amountMinor = amount
        money.currency = currency
        request.amount = money
        request.paymentToken = token
        request.deadline = Google_Protobuf_Timestamp(date: deadline)
        request.metadata = ["test": "live"]
        return request
    }

    func charge(_ booking: String, token: String, amount: Int64 = 2_500) async throws -> Boxoffice_Payment_V1_Payment {
        try #require(try await payments.charge(chargeRequest(booking, token: token, amount: amount)).payment)
    }

    func getPayment(booking: String) async throws -> Boxoffice_Payment_V1_Payment {
        var request = Boxoffice_Payment_V1_GetPaymentRequest()
        request.lookup = .bookingID(booking)
        return try #require(try await payments.getPayment(request).payment)
    }

    /// Waits (at most `seconds`, polling every 20 ms) until `condition` holds; false if it never did.
    func eventually(within seconds: Double = 8, _ condition: () async throws -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < end {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    /// Waits until the simulator has no webhook left to send and booking acknowledged every outcome.
    func quiesce() async throws {
        let quiet = try await eventually {
            guard simulator.ledgerSnapshot.webhooks.scheduledCount == 0 else { return false }
            return try await store.notificationsDue(at: Date().addingTimeInterval(3600), limit: 1).isEmpty
        }
        #expect(quiet, "webhooks and outcomes settle")
    }

    /// Waits until `booking`'s payment has `status` and booking heard of it.
    func settles(_ booking: String, at status: PaymentStatus, outcome: Boxoffice_Booking_V1_PaymentOutcome) async throws -> Bool {
        try await eventually {
            guard self.booking.effectiveOutcomes(of: booking).contains(outcome) else { return false }
            return try await store.payment(.bookingID(booking))?.status == status
        }
    }

    /// The invariants every live test ends with:
    /// - each booking was charged at most once at the provider;
    /// - money captured at the provider = money of CAPTURED payments (booking confirms them) + money refunded;
    /// - the payment service agrees with the provider about every charge it knows;
    /// - booking heard exactly one effective outcome per status each payment reached.
    func checkInvariants(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let ledger = simulator.ledgerSnapshot
        let succeeded = ledger.allCharges.filter { $0.status == .succeeded }
        var chargesByKey: [String: Int] = [:]
        for charge in succeeded { chargesByKey[charge.idempotencyKey, default: 0] += 1 }
        #expect(chargesByKey.values.allSatisfy { $0 == 1 }, "a booking was charged twice: \(chargesByKey)", sourceLocation: sourceLocation)

        let rows = try await database.query("SELECT booking_id FROM payments ORDER BY created_at")
        var payments: [Payment] = []
        for row in rows {
            payments.append(try #require(try await store.payment(.bookingID(try row.decode(String.self, column: 0)))))
        }
        let captured = succeeded.reduce(Int64(0)) { $0 + $1.amount }
        let refunded = ledger.allRefunds.reduce(Int64(0)) { $0 + $1.amount }
        let confirmed = payments.filter { $0.status == .captured }.reduce(Int64(0)) { $0 + $1.amount.amountMinor - $1.refundedAmount }
        let refundedHere = payments.reduce(Int64(0)) { $0 + $1.refundedAmount }
        #expect(captured == confirmed + refunded, "captured \(captured) ≠ confirmed \(confirmed) + refunded \(refunded)",
                sourceLocation: sourceLocation)
        #expect(refundedHere <= refunded, sourceLocation: sourceLocation)
        for payment in payments where payment.status != .pending {
            let key = payment.providerIdempotencyKey
            let charged = succeeded.contains { $0.idempotencyKey == key }
            switch payment.status {
            case .captured, .refunded:
                #expect(charged, "\(payment.bookingID) is \(payment.status) without a provider charge", sourceLocation: sourceLocation)
            case .declined, .notCharged:
                // A charge made after the payment was settled must have been refunded in full.
                if let charge = succeeded.first(where: { $0.idempotencyKey == key }) {
                    #expect(charge.amountRefunded == charge.amount, "orphan charge \(charge.id) not refunded", sourceLocation: sourceLocation)
                }
            case .pending:
                break
            }
            let expected = Self.outcomes(reachedBy: payment)
            #expect(booking.effectiveOutcomes(of: payment.bookingID) == expected,
                    "\(payment.bookingID): booking heard \(booking.effectiveOutcomes(of: payment.bookingID)), expected \(expected)",
                    sourceLocation: sourceLocation)
        }
    }

    static func outcomes(reachedBy payment: Payment) -> [Boxoffice_Booking_V1_PaymentOutcome] {
        switch payment.status {
        case .pending: []
        case .captured: [.captured]
        case .declined: [.declined]
        case .notCharged: [.notCharged]
        case .refunded: [.captured, .refunded]
        }
    }
}

/// Runs `body` in a fresh live world; stops everything afterwards (also on failure) and drops its database.
func withLivePayment(
    policy: PaymentPolicy = .liveTest, simulatorConfiguration: SimulatorConfiguration = .liveTest,
    booking: BookingOutcomeRecorder = BookingOutcomeRecorder(), outcomesUntilSettled: Bool = true,
    _ body: @Sendable (LivePaymentWorld) async throws -> Void
) async throws {
    try await withPostgresStore { store, database in
        var logger = Logger(label: "boxoffice.test.payment.live")
        logger.logLevel = .critical
        var bookingRouter = RPCRouter()
        booking.register(on: &bookingRouter)
        let bookingServer = GRPCServer(configuration: .init(port: 0, shutdownGracePeriod: .milliseconds(100)),
                                       router: bookingRouter, logger: logger)
        let provider = DeferredPaymentProvider()
        let processor = PaymentProcessor(store: store, provider: provider, policy: policy,
                                         verifier: WebhookVerifier(secrets: [liveWebhookSecret]), logger: logger)
        var paymentRouter = RPCRouter()
        processor.register(on: &paymentRouter)
        let paymentServer = GRPCServer(configuration: .init(port: 0, shutdownGracePeriod: .milliseconds(100)),
                                       router: paymentRouter, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            defer { group.cancelAll() }
            group.addTask { try await bookingServer.run() }
            group.addTask { try await paymentServer.run() }
            let paymentChannel = GRPCChannel(host: "127.0.0.1", port: try await paymentServer.listeningPort)
            let bookingChannel = GRPCChannel(host: "127.0.0.1", port: try await bookingServer.listeningPort)
            let simulator = ProviderSimulator(
                configuration: simulatorConfiguration, seed: 7,
                webhooks: .init(secret: liveWebhookSecret, attemptTimeout: .seconds(2)),
                webhookReceiver: Boxoffice_Provider_V1_WebhookReceiver.Client(wrapping: GRPCClient(channel: paymentChannel)),
                logger: logger)
            var simulatorRouter = RPCRouter()
            simulator.register(on: &simulatorRouter)
            let simulatorServer = GRPCServer(configuration: .init(port: 0, shutdownGracePeriod: .milliseconds(100)),
                                             router: simulatorRouter, logger: logger)
            group.addTask { try await simulatorServer.run() }
            for work in simulator.backgroundWork {
                group.addTask { try await work.run() }
            }
            let providerChannel = GRPCChannel(host: "127.0.0.1", port: try await simulatorServer.listeningPort)
            provider.connect(GRPCPaymentProvider(client: .init(wrapping: GRPCClient(channel: providerChannel)),
                                                 lookupTimeout: .seconds(2), refundTimeout: .seconds(2)))
            let relay = OutcomeRelay(
                store: store, recipient: GRPCBookingRecipient(client: .init(wrapping: GRPCClient(channel: bookingChannel)),
                                                              timeout: .seconds(2)),
                retry: policy.notificationRetry, logger: logger)
            group.addTask {
                while !Task.isCancelled {
                    _ = try? await processor.reconcile()
                    _ = try? await relay.deliverDue()
                    try? await Task.sleep(for: .milliseconds(25))
                }
            }
            let world = LivePaymentWorld(
                payments: .init(wrapping: GRPCClient(channel: paymentChannel)),
                webhooks: .init(wrapping: GRPCClient(channel: paymentChannel)),
                booking: booking, simulator: simulator, store: store, database: database)
            let outcome: Result<Void, any Error>
            do {
                try await body(world)
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            group.cancelAll()
            await paymentChannel.close()
            await bookingChannel.close()
            await providerChannel.close()
            try outcome.get()
        }
    }
}

/// The gRPC status `body` fails with; nil when it succeeds.
func rpcStatus(of body: () async throws -> Void) async -> (code: RPCError.Code, message: String)? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return (error.code, error.message)
    } catch {
        return (.unknown, "\(error)")
    }
}
