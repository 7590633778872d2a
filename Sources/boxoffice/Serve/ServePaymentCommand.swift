import ArgumentParser
import BoxOfficeAPI
import BoxOfficePayment
import BoxOfficePostgres
import BoxOfficeRPC
import BoxOfficeServiceKit
import Logging
import ServiceLifecycle

/// `boxoffice serve payment`: charges against the payment provider, idempotent by booking, with the
/// reconciler for PENDING payments, the outcome outbox to booking and the signed-webhook receiver.
struct ServePaymentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment",
        abstract: "Run the payment service (boxoffice.payment.v1.PaymentService and boxoffice.provider.v1.WebhookReceiver).",
        discussion: """
            Runs its migrations on --pg-url first. A provider call that does not answer within --provider-timeout-ms \
            (or the caller's remaining deadline, if shorter) leaves the payment PENDING; the reconciler asks the \
            provider (GetCharge by idempotency key) and resolves it. Outcomes go to booking's NotifyPaymentOutcome \
            through an outbox, retried until acknowledged. Webhooks must be signed with --webhook-secret.
            """)

    @OptionGroup var options: ServeOptions

    @Option(help: "PostgreSQL URL of the payment database (env BOXOFFICE_PG_URL).")
    var pgURL: String = environmentDefault("pg-url") ?? ""

    @Option(help: "HOST:PORT of the payment provider (env BOXOFFICE_PROVIDER).")
    var provider: String = environmentDefault("provider") ?? ""

    @Option(help: "HOST:PORT of the booking service, for payment outcomes; omitted keeps them in the outbox (env BOXOFFICE_BOOKING).")
    var booking: String = environmentDefault("booking") ?? ""

    @Option(help: "The HMAC-SHA256 secret provider webhooks are signed with (env BOXOFFICE_WEBHOOK_SECRET).")
    var webhookSecret: String = environmentDefault("webhook-secret") ?? ""

    @Option(help: "Longest wait for a provider charge call, in ms (env BOXOFFICE_PROVIDER_TIMEOUT_MS).")
    var providerTimeoutMs: Int = environmentDefault("provider-timeout-ms").flatMap { Int($0) } ?? 30_000

    @Option(help: "Time between reconciler rounds, in ms (env BOXOFFICE_RECONCILE_INTERVAL_MS).")
    var reconcileIntervalMs: Int = environmentDefault("reconcile-interval-ms").flatMap { Int($0) } ?? 1_000

    @Option(help: "Wait before the first provider check of a PENDING payment, in ms; doubles per check (env BOXOFFICE_CHECK_BACKOFF_MS).")
    var checkBackoffMs: Int = environmentDefault("check-backoff-ms").flatMap { Int($0) } ?? 5_000

    @Option(help: "Longest wait between provider checks, in ms (env BOXOFFICE_CHECK_BACKOFF_MAX_MS).")
    var checkBackoffMaxMs: Int = environmentDefault("check-backoff-max-ms").flatMap { Int($0) } ?? 300_000

    @Option(help: "Checks after which an unresolved PENDING payment raises the overdue alert (env BOXOFFICE_MAX_CHECKS).")
    var maxChecks: Int = environmentDefault("max-checks").flatMap { Int($0) } ?? 10

    @Option(help: "A payment PENDING this long raises the overdue alert, in ms (env BOXOFFICE_PENDING_BOUND_MS).")
    var pendingBoundMs: Int = environmentDefault("pending-bound-ms").flatMap { Int($0) } ?? 900_000

    @Option(help: "After the provider timeout, how long 'no such charge' still means 'maybe not arrived yet', in ms (env BOXOFFICE_NOT_FOUND_GRACE_MS).")
    var notFoundGraceMs: Int = environmentDefault("not-found-grace-ms").flatMap { Int($0) } ?? 120_000

    @Option(help: "Time between outbox deliveries to booking, in ms (env BOXOFFICE_OUTBOX_INTERVAL_MS).")
    var outboxIntervalMs: Int = environmentDefault("outbox-interval-ms").flatMap { Int($0) } ?? 200

    @Option(help: "Replay window of webhook signatures, in seconds (env BOXOFFICE_WEBHOOK_TOLERANCE_S).")
    var webhookToleranceS: Int = environmentDefault("webhook-tolerance-s").flatMap { Int($0) } ?? 300

    @Option(help: "Most PostgreSQL connections (env BOXOFFICE_PG_POOL_SIZE).")
    var pgPoolSize: Int = environmentDefault("pg-pool-size").flatMap { Int($0) } ?? 10

    func validate() throws {
        guard !pgURL.isEmpty else { throw ValidationError("--pg-url (or BOXOFFICE_PG_URL) is required") }
        guard ClientEndpoint(provider) != nil else {
            throw ValidationError("--provider (or BOXOFFICE_PROVIDER) must be HOST:PORT, got '\(provider)'")
        }
        if !booking.isEmpty, ClientEndpoint(booking) == nil {
            throw ValidationError("--booking must be HOST:PORT, got '\(booking)'")
        }
        guard !webhookSecret.isEmpty else {
            throw ValidationError("--webhook-secret (or BOXOFFICE_WEBHOOK_SECRET) is required")
        }
        for (flag, value) in [("provider-timeout-ms", providerTimeoutMs), ("reconcile-interval-ms", reconcileIntervalMs),
                              ("check-backoff-ms", checkBackoffMs), ("check-backoff-max-ms", checkBackoffMaxMs),
                              ("max-checks", maxChecks), ("pending-bound-ms", pendingBoundMs),
                              ("outbox-interval-ms", outboxIntervalMs), ("webhook-tolerance-s", webhookToleranceS),
                              ("pg-pool-size", pgPoolSize)]
            where value < 1 {
            throw ValidationError("--\(flag) must be at least 1, got \(value)")
        }
        guard notFoundGraceMs >= 0 else { throw ValidationError("--not-found-grace-ms must not be negative") }
    }

    var policy: PaymentPolicy {
        PaymentPolicy(
            providerTimeout: .milliseconds(providerTimeoutMs),
            reconciler: ReconcilerPolicy(
                checkBackoff: Backoff(initial: .milliseconds(checkBackoffMs), maximum: .milliseconds(max(checkBackoffMs, checkBackoffMaxMs))),
                maxChecks: maxChecks, pendingBound: .milliseconds(pendingBoundMs), notFoundGrace: .milliseconds(notFoundGraceMs)))
    }

    func run() async throws {
        ServiceHost.bootstrapLogging(format: LogFormat(rawValue: options.logFormat) ?? .json,
                                     level: Logger.Level(rawValue: options.logLevel) ?? .info)
        ServiceHost.bootstrapMetrics()
        let logger = Logger(label: "boxoffice.payment")
        let database = PostgresClient(configuration: PostgresConfiguration(url: pgURL),
                                      options: PostgresPoolOptions(maximumConnections: pgPoolSize), logger: logger)
        do {
            try await database.waitUntilReachable(deadline: .now + .seconds(30))
            let applied = try await PaymentSchema.migrate(database, logger: logger)
            if !applied.isEmpty { logger.notice("applied migrations", metadata: ["migrations": "\(applied)"]) }
            try await serve(database: database, logger: logger)
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }

    private func serve(database: PostgresClient, logger: Logger) async throws {
        let store = PostgresPaymentStore(client: database)
        let providerChannel = GRPCChannel(endpoints: [ClientEndpoint(provider)!], logger: logger)
        var background: [any Service] = [providerChannel]
        let processor = PaymentProcessor(
            store: store,
            provider: GRPCPaymentProvider(client: Boxoffice_Provider_V1_ProviderService.Client(wrapping: GRPCClient(channel: providerChannel))),
            policy: policy, verifier: WebhookVerifier(secrets: [webhookSecret], tolerance: .seconds(webhookToleranceS)),
            logger: logger)
        background.append(RecurringWork(name: "payment-reconciler", interval: .milliseconds(reconcileIntervalMs), logger: logger) {
            try await processor.reconcile()
        })
        if let booking = ClientEndpoint(booking) {
            let bookingChannel = GRPCChannel(endpoints: [booking], logger: logger)
            background.append(bookingChannel)
            let relay = OutcomeRelay(
                store: store,
                recipient: GRPCBookingRecipient(client: Boxoffice_Booking_V1_BookingService.Client(wrapping: GRPCClient(channel: bookingChannel))),
                retry: policy.notificationRetry, logger: logger)
            background.append(RecurringWork(name: "payment-outbox", interval: .milliseconds(outboxIntervalMs), logger: logger) {
                try await relay.deliverDue()
            })
        } else {
            logger.warning("no --booking: payment outcomes stay in the outbox until a booking address is given")
        }
        var router = RPCRouter()
        processor.register(on: &router)
        let host = ServiceHost(
            configuration: .init(name: "payment", host: options.host, port: options.port(default: 50053),
                                 metricsPort: options.metricsPortInEffect, shutdownGracePeriod: .seconds(options.shutdownGrace)),
            logger: logger)
        try await host.run(router: router, background: background)
    }
}
