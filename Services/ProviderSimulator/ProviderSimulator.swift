public import BoxOfficeAPI
public import BoxOfficeRPC
public import Logging
public import ServiceLifecycle

/// The payment provider simulator: `boxoffice.provider.v1.ProviderService` over a Stripe-like
/// ledger, and delivery of its signed webhook events to a `WebhookReceiver`.
///
/// Register the service on a router with ``register(on:)`` and run ``backgroundWork`` beside the
/// server (a `ServiceHost` or a `ServiceGroup` does both). Without the background work the RPCs
/// still behave (charges finish on time) but no webhook is sent. Thread-safe; copies share one
/// ledger.
public struct ProviderSimulator: Sendable {
    /// How webhook events are sent.
    public struct WebhookSettings: Sendable {
        /// The HMAC-SHA256 secret shared with the receiver.
        public var secret: String
        /// Attempts in flight at once.
        public var maxConcurrentAttempts: Int
        /// How long one attempt may take before it counts as failed (and is retried).
        public var attemptTimeout: Duration

        /// Creates settings; the defaults suit a load run against one payment service.
        public init(secret: String, maxConcurrentAttempts: Int = 32, attemptTimeout: Duration = .seconds(5)) {
            self.secret = secret
            self.maxConcurrentAttempts = maxConcurrentAttempts
            self.attemptTimeout = attemptTimeout
        }
    }

    private let ledger: SharedLedger
    private let dispatcher: WebhookDispatcher
    private let ownedChannel: GRPCChannel?

    /// A simulator that sends its webhooks through `webhookReceiver` (nil: sends none).
    ///
    /// - Parameters:
    ///   - configuration: latency, error rate and the delays the test tokens use.
    ///   - seed: fixes every latency and simulated error drawn, so a run replays.
    ///   - webhookReceiver: the caller owns its channel.
    public init(configuration: SimulatorConfiguration = SimulatorConfiguration(), seed: UInt64 = 0,
                webhooks: WebhookSettings, webhookReceiver: Boxoffice_Provider_V1_WebhookReceiver.Client?,
                logger: Logger) {
        self.init(configuration: configuration, seed: seed, webhooks: webhooks, receiver: webhookReceiver,
                  ownedChannel: nil, logger: logger)
    }

    /// A simulator that sends its webhooks to the `WebhookReceiver` at `webhookTarget` (nil: sends
    /// none), over a channel it owns: ``backgroundWork`` closes it at shutdown.
    public init(configuration: SimulatorConfiguration = SimulatorConfiguration(), seed: UInt64 = 0,
                webhooks: WebhookSettings, webhookTarget: ClientEndpoint?, logger: Logger) {
        let channel = webhookTarget.map { GRPCChannel(endpoints: [$0], logger: logger) }
        self.init(configuration: configuration, seed: seed, webhooks: webhooks,
                  receiver: channel.map { Boxoffice_Provider_V1_WebhookReceiver.Client(wrapping: GRPCClient(channel: $0)) },
                  ownedChannel: channel, logger: logger)
    }

    private init(configuration: SimulatorConfiguration, seed: UInt64, webhooks: WebhookSettings,
                 receiver: Boxoffice_Provider_V1_WebhookReceiver.Client?, ownedChannel: GRPCChannel?, logger: Logger) {
        let ledger = SharedLedger(ledger: ChargeLedger(configuration: configuration, seed: seed,
                                                     idTag: ChargeLedger.freshIDTag()))
        self.ledger = ledger
        self.ownedChannel = ownedChannel
        self.dispatcher = WebhookDispatcher(
            ledger: ledger, signer: WebhookSigner(secret: webhooks.secret), receiver: receiver,
            maxConcurrentAttempts: max(1, webhooks.maxConcurrentAttempts), attemptTimeout: webhooks.attemptTimeout,
            logger: logger)
    }

    /// Registers `boxoffice.provider.v1.ProviderService` on `router`.
    public func register(on router: inout RPCRouter) {
        ProviderServiceHandler(ledger: ledger).registerMethods(with: &router)
    }

    /// The services to run beside the server: webhook delivery (and the webhook channel, if the
    /// simulator owns it, closed after delivery stops).
    public var backgroundWork: [any Service] {
        var work: [any Service] = []
        if let ownedChannel { work.append(ownedChannel) }
        work.append(dispatcher)
        return work
    }

    /// The configuration in use.
    public var configuration: SimulatorConfiguration { ledger.configuration }

    /// A copy of the ledger now (charges due by now finished), for tests and invariant checks.
    public var ledgerSnapshot: ChargeLedger { ledger.snapshot }
}
