public import Foundation

/// What the reconciler does for one payment now.
public enum ReconcilerAction: Sendable, Hashable {
    /// Ask the provider (GetCharge by this idempotency key) and apply the answer as
    /// ``PaymentEvent/providerChecked(_:)``.
    case checkProvider(idempotencyKey: String)
    /// Raise the overdue alert (metric + log) and apply ``PaymentEvent/overdueAlertRaised``.
    case raiseOverdueAlert(OverdueReason)
}

/// Why a PENDING payment is overdue.
public enum OverdueReason: Sendable, Hashable {
    /// Its deadline (the hold window) passed while PENDING.
    case deadlinePassed
    /// PENDING longer than the policy's bound.
    case pendingTooLong
    /// The checks on the backoff schedule did not resolve it.
    case checksExhausted
}

/// The reconciler's decisions for PENDING payments, without I/O.
public enum ReconcilerSchedule {
    /// When to look at `payment` next: its scheduled check, else the end of its in-flight call
    /// (a payment whose call never answered, e.g. after a crash), else at once. Nil unless PENDING.
    public static func nextLook(at payment: Payment) -> Date? {
        guard payment.status == .pending else { return nil }
        return payment.nextCheckAt ?? payment.providerCallDeadline ?? payment.createdAt
    }

    /// The actions for `payment` at `now`, alert first.
    ///
    /// Never checks while the charge call is in flight. Raises the overdue alert once, when the
    /// deadline passed, the payment is PENDING longer than `pendingBound`, or `maxChecks` checks
    /// did not resolve it; checking goes on (every `checkBackoff.maximum`) until it resolves.
    public static func actions(for payment: Payment, at now: Date, policy: ReconcilerPolicy) -> [ReconcilerAction] {
        guard payment.status == .pending else { return [] }
        var actions: [ReconcilerAction] = []
        if payment.overdueAlertAt == nil, let reason = overdueReason(payment, at: now, policy: policy) {
            actions.append(.raiseOverdueAlert(reason))
        }
        if !payment.isProviderCallInFlight(at: now), let look = nextLook(at: payment), look <= now {
            actions.append(.checkProvider(idempotencyKey: payment.providerIdempotencyKey))
        }
        return actions
    }

    static func overdueReason(_ payment: Payment, at now: Date, policy: ReconcilerPolicy) -> OverdueReason? {
        if now >= payment.deadline { return .deadlinePassed }
        if now >= payment.createdAt.adding(policy.pendingBound) { return .pendingTooLong }
        if payment.unresolvedChecks >= policy.maxChecks { return .checksExhausted }
        return nil
    }
}
