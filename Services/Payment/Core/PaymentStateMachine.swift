public import Foundation

extension Payment {
    /// Applies `event` at `now`: the payment's state machine.
    ///
    /// Transitions only move forward (PENDING → CAPTURED → REFUNDED, PENDING → DECLINED /
    /// NOT_CHARGED), so late, repeated and out-of-order answers and webhooks are harmless: whatever
    /// order the same facts arrive in, the payment ends in the same state. Every status change
    /// creates the outcome notification for booking in the same transition. Pure: no I/O.
    public func apply(_ event: PaymentEvent, at now: Date, policy: PaymentPolicy) -> PaymentTransition {
        var next = self
        switch event {
        case .chargeAnswered(let result):
            next.providerCallDeadline = nil
            return next.resolve(result, at: now, original: self)

        case .chargeUnanswered:
            guard status == .pending else { return ignored() }
            next.providerCallDeadline = nil
            if next.nextCheckAt == nil {
                next.nextCheckAt = now.adding(policy.reconciler.checkBackoff.initial)
            }
            return next.updated(at: now, original: self)

        case .providerChecked(let lookup):
            guard status == .pending else {
                if case .found(let result) = lookup { return contradiction(result, at: now) }
                return ignored()
            }
            next.attempts += 1
            switch lookup {
            case .found(let result):
                return next.resolve(result, at: now, original: self)
            case .notFound where now >= createdAt.adding(policy.providerTimeout + policy.reconciler.notFoundGrace):
                next.declineCode = ""
                next.declineMessage = ""
                next.nextCheckAt = nil
                return next.advance(to: .notCharged, at: now, original: self)
            case .notFound, .processing, .unavailable:
                // Not found yet may still mean "the request has not reached the provider": only
                // after the grace is "not found" taken as "not charged".
                next.unresolvedChecks += 1
                let reconciler = policy.reconciler
                let wait = next.unresolvedChecks >= reconciler.maxChecks
                    ? reconciler.checkBackoff.maximum
                    : reconciler.checkBackoff.delay(afterFailures: next.unresolvedChecks)
                next.nextCheckAt = now.adding(wait)
                return next.updated(at: now, original: self)
            }

        case .webhook(let webhook):
            switch webhook.body {
            case .chargeSucceeded(let chargeID, _):
                return next.resolve(.succeeded(chargeID: chargeID), at: now, original: self)
            case .chargeFailed(let chargeID, _, let code, let message):
                return next.resolve(.failed(chargeID: chargeID, code: code, message: message), at: now, original: self)
            case .chargeRefunded(let refund):
                return next.recordRefund(refund, at: now, original: self)
            }

        case .refundAnswered(let refund):
            return next.recordRefund(refund, at: now, original: self)

        case .overdueAlertRaised:
            guard status == .pending, overdueAlertAt == nil else { return ignored() }
            next.overdueAlertAt = now
            return next.updated(at: now, original: self)
        }
    }

    // MARK: Transitions (called on the copy being changed; `original` is the payment before)

    private func resolve(_ result: ProviderChargeResult, at now: Date, original: Payment) -> PaymentTransition {
        guard original.status == .pending else {
            // A late or repeated answer: harmless unless it contradicts the outcome.
            return original.contradiction(result, at: now)
        }
        var next = self
        next.nextCheckAt = nil
        switch result {
        case .succeeded(let chargeID):
            next.providerChargeID = chargeID
            next.declineCode = ""
            next.declineMessage = ""
            return next.advance(to: .captured, at: now, original: original)
        case .failed(let chargeID, let code, let message):
            next.providerChargeID = chargeID ?? next.providerChargeID
            next.declineCode = code
            next.declineMessage = message
            return next.advance(to: PaymentStatus.failure(forCode: code), at: now, original: original)
        }
    }

    private func recordRefund(_ refund: ProviderRefund, at now: Date, original: Payment) -> PaymentTransition {
        if let index = original.refunds.firstIndex(where: { $0.providerRefundID == refund.refundID }) {
            // Known already (a webhook may have told us first): only learn the key we asked with,
            // so a retry of our Refund finds it.
            guard original.refunds[index].idempotencyKey.isEmpty, !refund.idempotencyKey.isEmpty else {
                return original.ignored()
            }
            var next = self
            next.refunds[index].idempotencyKey = refund.idempotencyKey
            return next.updated(at: now, original: original)
        }
        switch original.status {
        case .declined, .notCharged:
            // A refund implies the charge succeeded after all.
            return original.contradiction(.succeeded(chargeID: refund.chargeID), at: now)
        case .refunded:
            return original.ignored()
        case .pending, .captured:
            break
        }
        guard refund.amount > 0, original.providerChargeID == nil || original.providerChargeID == refund.chargeID else {
            return original.ignored()
        }
        var next = self
        var notifications: [OutcomeNotification] = []
        if original.status == .pending {
            // A refund can only follow a capture: the refund event overtook the capture's news.
            next.status = .captured
            next.providerChargeID = refund.chargeID
            next.providerCallDeadline = nil
            next.nextCheckAt = nil
            next.declineCode = ""
            next.declineMessage = ""
            notifications.append(OutcomeNotification(payment: next, at: now))
        }
        guard refund.amount <= next.refundableAmount else { return original.ignored() }
        next.refunds.append(RefundRecord(
            id: "\(id)-refund-\(original.refunds.count + 1)", providerRefundID: refund.refundID,
            amount: Money(amountMinor: refund.amount, currency: amount.currency), reason: refund.reason,
            idempotencyKey: refund.idempotencyKey, createdAt: now))
        if next.refundableAmount == 0 {
            next.status = .refunded
            notifications.append(OutcomeNotification(payment: next, at: now))
        }
        next.updatedAt = now
        next.version = original.version + 1
        let effect: PaymentTransition.Effect = next.status == original.status
            ? .updated : .advanced(from: original.status, to: next.status)
        return PaymentTransition(payment: next, notifications: notifications, effect: effect)
    }

    private func advance(to status: PaymentStatus, at now: Date, original: Payment) -> PaymentTransition {
        var next = self
        next.status = status
        next.providerCallDeadline = nil
        next.updatedAt = now
        next.version = original.version + 1
        let notifications = status.notifiesBooking ? [OutcomeNotification(payment: next, at: now)] : []
        return PaymentTransition(payment: next, notifications: notifications,
                                 effect: .advanced(from: original.status, to: status))
    }

    private func updated(at now: Date, original: Payment) -> PaymentTransition {
        var next = self
        next.updatedAt = now
        next.version = original.version + 1
        return PaymentTransition(payment: next, notifications: [], effect: .updated)
    }

    private func ignored() -> PaymentTransition {
        PaymentTransition(payment: self, notifications: [], effect: .ignored)
    }

    /// A final answer arriving after the payment was decided.
    private func contradiction(_ result: ProviderChargeResult, at now: Date) -> PaymentTransition {
        switch (status, result) {
        case (.declined, .succeeded(let chargeID)), (.notCharged, .succeeded(let chargeID)):
            // Money was taken for a payment booking already gave up on: give it back. Remember the
            // charge, so its later events (the refund's) find this payment.
            var next = self
            var changed = false
            if providerChargeID == nil, !chargeID.isEmpty {
                next.providerChargeID = chargeID
                next.updatedAt = now
                next.version += 1
                changed = true
            }
            return PaymentTransition(
                payment: next, notifications: [], effect: .contradicted(status),
                orphanChargeRefund: chargeID.isEmpty ? nil : ProviderRefundCall(
                    chargeID: chargeID, amount: amount.amountMinor, idempotencyKey: "orphan-\(chargeID)",
                    reason: "charged after the payment was settled as \(status.rawValue)"),
                changed: changed)
        case (.captured, .failed), (.refunded, .failed):
            return PaymentTransition(payment: self, notifications: [], effect: .contradicted(status))
        default:
            return ignored()
        }
    }
}
