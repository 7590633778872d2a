/// Something that happened to a payment; the input of ``Payment/apply(_:at:policy:)``.
public enum PaymentEvent: Sendable, Hashable {
    /// The provider answered the charge call in time.
    case chargeAnswered(ProviderChargeResult)
    /// The charge call did not answer within the provider timeout, or failed in a way that leaves
    /// open whether it charged: the payment stays PENDING for the reconciler.
    case chargeUnanswered
    /// The reconciler asked the provider about the charge.
    case providerChecked(ProviderLookup)
    /// A verified webhook event (its id not yet processed).
    case webhook(ProviderWebhookEvent)
    /// The provider made a refund we asked for.
    case refundAnswered(ProviderRefund)
    /// The reconciler raised the overdue alert for this PENDING payment.
    case overdueAlertRaised
}

/// The result of applying one event: the payment afterwards, and the outcome notifications for
/// booking that must be written in the same transaction.
public struct PaymentTransition: Sendable, Hashable {
    /// What the event did.
    public enum Effect: Sendable, Hashable {
        /// The status moved forward.
        case advanced(from: PaymentStatus, to: PaymentStatus)
        /// Same status, other fields changed (a partial refund, a rescheduled check, …).
        case updated
        /// Nothing changed; the event was late, repeated or superseded.
        case ignored
        /// Nothing changed, but the event contradicts a final outcome: a provider saying a
        /// DECLINED / NOT_CHARGED payment was charged (see ``orphanChargeRefund``), or a CAPTURED
        /// one failed. Log it as an alert.
        case contradicted(PaymentStatus)
    }

    /// The payment after the event; the same as before (same version) when ignored.
    public var payment: Payment
    /// Outbox entries to insert with the payment, in order.
    public var notifications: [OutcomeNotification]
    /// What the event did.
    public var effect: Effect
    /// Set when the provider charged a payment already settled as DECLINED or NOT_CHARGED (a
    /// request that reached it late): refund this charge (idempotent by its key) before recording
    /// the event as processed, so a crash in between retries it. The payment itself stays as it is.
    public var orphanChargeRefund: ProviderRefundCall?

    init(
        payment: Payment, notifications: [OutcomeNotification], effect: Effect,
        orphanChargeRefund: ProviderRefundCall? = nil, changed: Bool? = nil
    ) {
        self.payment = payment
        self.notifications = notifications
        self.effect = effect
        self.orphanChargeRefund = orphanChargeRefund
        switch effect {
        case .advanced, .updated: self.changed = true
        case .ignored, .contradicted: self.changed = changed ?? false
        }
    }

    /// True when `payment` must be written (its version was bumped).
    public var changed: Bool
}
