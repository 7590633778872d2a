import ArgumentParser
import BoxOfficeProviderSimulator
import BoxOfficeRPC
import BoxOfficeServiceKit
import Logging

/// `boxoffice serve provider-sim`: the payment provider simulator (Stripe-like charges chosen by
/// test tokens, signed webhooks to the payment service).
struct ServeProviderSimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provider-sim",
        abstract: "Run the payment provider simulator (boxoffice.provider.v1.ProviderService).",
        discussion: """
            Test payment tokens choose the behaviour: tok_approve, tok_decline_card, tok_decline_funds, \
            tok_timeout_charge, tok_timeout_no_charge, tok_webhook_lost, tok_webhook_delayed, tok_webhook_twice, \
            tok_webhook_out_of_order. The timeout tokens answer --late-answer-ms after the caller's gRPC deadline \
            (or after --caller-timeout-ms when the call has none). Signed webhook events go to \
            boxoffice.provider.v1.WebhookReceiver/Deliver on --webhook-target, retried with backoff until acknowledged.
            """)

    @OptionGroup var options: ServeOptions

    @Option(help: "HOST:PORT of the WebhookReceiver (the payment service); omitted sends no webhooks (env BOXOFFICE_WEBHOOK_TARGET).")
    var webhookTarget: String?

    @Option(help: "The HMAC-SHA256 secret webhooks are signed with (env BOXOFFICE_WEBHOOK_SECRET).")
    var webhookSecret: String?

    /// The webhook target in effect: the flag, else `BOXOFFICE_WEBHOOK_TARGET`.
    private var webhookTargetInEffect: String? { webhookTarget ?? environmentDefault("webhook-target") }

    /// The webhook secret in effect: the flag, else `BOXOFFICE_WEBHOOK_SECRET`.
    private var webhookSecretInEffect: String { webhookSecret ?? environmentDefault("webhook-secret") ?? "" }

    @Option(help: "Least time a CreateCharge takes, in ms (env BOXOFFICE_LATENCY_MS).")
    var latencyMs: Int = environmentDefault("latency-ms").flatMap { Int($0) } ?? 50

    @Option(help: "Extra latency drawn uniformly from 0...N ms per charge (env BOXOFFICE_LATENCY_JITTER_MS).")
    var latencyJitterMs: Int = environmentDefault("latency-jitter-ms").flatMap { Int($0) } ?? 0

    @Option(help: "Probability 0...1 that a CreateCharge fails UNAVAILABLE with nothing recorded (env BOXOFFICE_ERROR_RATE).")
    var errorRate: Double = environmentDefault("error-rate").flatMap { Double($0) } ?? 0

    @Option(help: "Seed of the latencies and simulated errors drawn (env BOXOFFICE_SEED).")
    var seed: UInt64 = environmentDefault("seed").flatMap { UInt64($0) } ?? 0

    @Option(help: "The caller timeout assumed for calls without a deadline, in ms (env BOXOFFICE_CALLER_TIMEOUT_MS).")
    var callerTimeoutMs: Int = environmentDefault("caller-timeout-ms").flatMap { Int($0) } ?? 30_000

    @Option(help: "How long after the caller gives up the timeout tokens finish, in ms (env BOXOFFICE_LATE_ANSWER_MS).")
    var lateAnswerMs: Int = environmentDefault("late-answer-ms").flatMap { Int($0) } ?? 5_000

    @Option(help: "How late tok_webhook_delayed sends its events, in ms (env BOXOFFICE_WEBHOOK_DELAY_MS).")
    var webhookDelayMs: Int = environmentDefault("webhook-delay-ms").flatMap { Int($0) } ?? 10_000

    @Option(help: "How long tok_webhook_out_of_order holds a charge's first event back, in ms (env BOXOFFICE_OUT_OF_ORDER_MS).")
    var outOfOrderMs: Int = environmentDefault("out-of-order-ms").flatMap { Int($0) } ?? 20_000

    @Option(help: "Wait before the first webhook redelivery, in ms; doubles each time (env BOXOFFICE_WEBHOOK_RETRY_MS).")
    var webhookRetryMs: Int = environmentDefault("webhook-retry-ms").flatMap { Int($0) } ?? 1_000

    @Option(help: "Longest wait between webhook redeliveries, in ms (env BOXOFFICE_WEBHOOK_RETRY_MAX_MS).")
    var webhookRetryMaxMs: Int = environmentDefault("webhook-retry-max-ms").flatMap { Int($0) } ?? 60_000

    @Option(help: "Attempts after which an unacknowledged webhook is abandoned (env BOXOFFICE_WEBHOOK_MAX_ATTEMPTS).")
    var webhookMaxAttempts: Int = environmentDefault("webhook-max-attempts").flatMap { Int($0) } ?? 30

    func validate() throws {
        if let target = webhookTargetInEffect, ClientEndpoint(target) == nil {
            throw ValidationError("--webhook-target must be HOST:PORT, got '\(target)'")
        }
        if webhookTargetInEffect != nil && webhookSecretInEffect.isEmpty {
            throw ValidationError("--webhook-secret (or BOXOFFICE_WEBHOOK_SECRET) is required with --webhook-target")
        }
        guard (0...1).contains(errorRate) else { throw ValidationError("--error-rate must be between 0 and 1, got \(errorRate)") }
        for (flag, value) in [("latency-ms", latencyMs), ("latency-jitter-ms", latencyJitterMs),
                              ("caller-timeout-ms", callerTimeoutMs), ("late-answer-ms", lateAnswerMs),
                              ("webhook-delay-ms", webhookDelayMs), ("out-of-order-ms", outOfOrderMs),
                              ("webhook-retry-ms", webhookRetryMs), ("webhook-retry-max-ms", webhookRetryMaxMs)]
            where value < 0 {
            throw ValidationError("--\(flag) must not be negative, got \(value)")
        }
        guard webhookMaxAttempts >= 1 else { throw ValidationError("--webhook-max-attempts must be at least 1") }
    }

    func run() async throws {
        ServiceHost.bootstrapLogging(format: LogFormat(rawValue: options.logFormat) ?? .json,
                                     level: Logger.Level(rawValue: options.logLevel) ?? .info)
        ServiceHost.bootstrapMetrics()
        let logger = Logger(label: "boxoffice.provider-sim")
        let configuration = SimulatorConfiguration(
            baseLatency: .milliseconds(latencyMs), latencyJitter: .milliseconds(latencyJitterMs), errorRate: errorRate,
            callerTimeout: .milliseconds(callerTimeoutMs), lateAnswerMargin: .milliseconds(lateAnswerMs),
            webhookDelay: .milliseconds(webhookDelayMs), outOfOrderHold: .milliseconds(outOfOrderMs),
            webhookRetry: RetryBackoff(initial: .milliseconds(webhookRetryMs), maximum: .milliseconds(webhookRetryMaxMs),
                                       maxAttempts: webhookMaxAttempts))
        let simulator = ProviderSimulator(
            configuration: configuration, seed: seed, webhooks: .init(secret: webhookSecretInEffect),
            webhookTarget: webhookTargetInEffect.flatMap(ClientEndpoint.init), logger: logger)
        if webhookTargetInEffect == nil { logger.warning("no --webhook-target: webhook events are not sent") }
        var router = RPCRouter()
        simulator.register(on: &router)
        let host = ServiceHost(
            configuration: .init(name: "provider-sim", host: options.host, port: options.port(default: 50054),
                                 metricsPort: options.metricsPortInEffect,
                                 shutdownGracePeriod: .seconds(options.shutdownGrace)),
            logger: logger)
        try await host.run(router: router, background: simulator.backgroundWork)
    }
}
