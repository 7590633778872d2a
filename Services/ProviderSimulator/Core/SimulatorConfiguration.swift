/// Knobs of the provider simulator: latency and error rates for load runs, the delays that the
/// test tokens use, and webhook redelivery.
public struct SimulatorConfiguration: Sendable, Hashable {
    /// Least time a CreateCharge takes to answer.
    public var baseLatency: Duration
    /// Extra latency drawn uniformly from `0...latencyJitter` per charge.
    public var latencyJitter: Duration
    /// Probability that a CreateCharge fails with UNAVAILABLE before anything is recorded.
    public var errorRate: Double
    /// The caller's timeout that the `tok_timeout_*` tokens answer after (the payment service's
    /// provider timeout, 30 s by default).
    public var callerTimeout: Duration
    /// How long after the caller's timeout the `tok_timeout_*` tokens answer.
    public var lateAnswerMargin: Duration
    /// How late `tok_webhook_delayed` sends its events.
    public var webhookDelay: Duration
    /// How long `tok_webhook_out_of_order` holds a charge's first event back.
    public var outOfOrderHold: Duration
    /// Redelivery of unacknowledged webhooks.
    public var webhookRetry: RetryBackoff

    /// Creates a value from its fields.
    public init(
        baseLatency: Duration = .milliseconds(50),
        latencyJitter: Duration = .zero,
        errorRate: Double = 0,
        callerTimeout: Duration = .seconds(30),
        lateAnswerMargin: Duration = .seconds(5),
        webhookDelay: Duration = .seconds(10),
        outOfOrderHold: Duration = .seconds(20),
        webhookRetry: RetryBackoff = RetryBackoff()
    ) {
        self.baseLatency = baseLatency
        self.latencyJitter = latencyJitter
        self.errorRate = errorRate
        self.callerTimeout = callerTimeout
        self.lateAnswerMargin = lateAnswerMargin
        self.webhookDelay = webhookDelay
        self.outOfOrderHold = outOfOrderHold
        self.webhookRetry = webhookRetry
    }
}
