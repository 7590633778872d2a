public import Foundation

/// What the service does with a verified webhook event, decided without I/O.
public enum WebhookIntakeDecision: Sendable, Hashable {
    /// The event id was processed before: acknowledge, change nothing.
    case duplicate
    /// No payment matches the event: refuse it (NOT_FOUND) and change nothing.
    case unknownPayment
    /// Make the transition's ``PaymentTransition/orphanChargeRefund`` first if it has one; then write
    /// the transition and record the event id in one transaction, and acknowledge (also when the
    /// transition changed nothing, so the provider stops redelivering).
    case apply(PaymentTransition)

    /// Decides a verified event for the payment found by ``ProviderWebhookEvent/paymentLookup``.
    public init(_ event: ProviderWebhookEvent, payment: Payment?, alreadyProcessed: Bool, at now: Date, policy: PaymentPolicy) {
        if alreadyProcessed {
            self = .duplicate
        } else if let payment {
            self = .apply(payment.apply(.webhook(event), at: now, policy: policy))
        } else {
            self = .unknownPayment
        }
    }
}
