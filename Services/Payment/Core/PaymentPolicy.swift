/// The payment service's timing rules, shared by the charge decision, the state machine, the
/// reconciler and the outbox.
public struct PaymentPolicy: Sendable, Hashable {
    /// The longest a provider call may take; a call without an answer by then leaves the payment
    /// PENDING. 30 s by default.
    public var providerTimeout: Duration
    /// The PENDING-resolution schedule.
    public var reconciler: ReconcilerPolicy
    /// Redelivery of outcome notifications to booking; retried for ever, never above the maximum.
    public var notificationRetry: Backoff

    /// Creates a value from its fields.
    public init(
        providerTimeout: Duration = .seconds(30),
        reconciler: ReconcilerPolicy = ReconcilerPolicy(),
        notificationRetry: Backoff = Backoff(initial: .seconds(1), maximum: .seconds(60))
    ) {
        self.providerTimeout = providerTimeout
        self.reconciler = reconciler
        self.notificationRetry = notificationRetry
    }
}

/// When the reconciler asks the provider about a PENDING payment, and when it raises an alert.
public struct ReconcilerPolicy: Sendable, Hashable {
    /// Checks back off from `initial` up to `maximum` between provider checks.
    public var checkBackoff: Backoff
    /// Checks on the backoff schedule; after these the payment is overdue (an alert is raised) and is
    /// checked every `checkBackoff.maximum` until it resolves, never given up.
    public var maxChecks: Int
    /// A payment PENDING this long after it was created is overdue, whatever its deadline.
    public var pendingBound: Duration
    /// "No such charge" from the provider counts as NOT_CHARGED only once the charge call started
    /// longer ago than the provider timeout plus this grace: until then the request may still be on
    /// its way to the provider.
    public var notFoundGrace: Duration

    /// Creates a value from its fields.
    public init(
        checkBackoff: Backoff = Backoff(initial: .seconds(5), maximum: .seconds(300)),
        maxChecks: Int = 10,
        pendingBound: Duration = .seconds(900),
        notFoundGrace: Duration = .seconds(120)
    ) {
        self.checkBackoff = checkBackoff
        self.maxChecks = maxChecks
        self.pendingBound = pendingBound
        self.notFoundGrace = notFoundGrace
    }
}
