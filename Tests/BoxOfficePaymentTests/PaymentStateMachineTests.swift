import BoxOfficePayment
import Foundation
import Testing

@Suite("Payment state machine: every state × every event")
struct PaymentStateMachineTests {
    /// One representative of every event variant.
    enum EventCase: String, CaseIterable, Sendable {
        case answeredSucceeded, answeredDeclined, answeredProcessingError, unanswered
        case checkedSucceeded, checkedDeclined, checkedNotFound, checkedProcessing, checkedUnavailable
        case webhookSucceeded, webhookFailed, webhookRefundedFull, webhookRefundedPartial
        case refundAnsweredFull, refundAnsweredPartial, overdueAlert

        var event: PaymentEvent {
            let succeeded = ProviderChargeResult.succeeded(chargeID: "ch_1")
            let declined = ProviderChargeResult.failed(chargeID: "ch_1", code: "card_declined", message: "Your card was declined.")
            let full = ProviderRefund(refundID: "re_full", chargeID: "ch_1", amount: 1000, reason: "seats gone", idempotencyKey: "k-full")
            let partial = ProviderRefund(refundID: "re_part", chargeID: "ch_1", amount: 400, reason: "one seat", idempotencyKey: "k-part")
            func hook(_ body: ProviderWebhookEvent.Body) -> PaymentEvent {
                .webhook(ProviderWebhookEvent(id: "evt_\(rawValue)", createdAt: t0, sequence: 1, body: body))
            }
            let key = ProviderChargeCall.idempotencyKey(forBooking: "b-1")
            switch self {
            case .answeredSucceeded: return .chargeAnswered(succeeded)
            case .answeredDeclined: return .chargeAnswered(declined)
            case .answeredProcessingError:
                return .chargeAnswered(.failed(chargeID: "ch_1", code: "processing_error", message: "not charged"))
            case .unanswered: return .chargeUnanswered
            case .checkedSucceeded: return .providerChecked(.found(succeeded))
            case .checkedDeclined: return .providerChecked(.found(declined))
            case .checkedNotFound: return .providerChecked(.notFound)
            case .checkedProcessing: return .providerChecked(.processing)
            case .checkedUnavailable: return .providerChecked(.unavailable)
            case .webhookSucceeded: return hook(.chargeSucceeded(chargeID: "ch_1", idempotencyKey: key))
            case .webhookFailed:
                return hook(.chargeFailed(chargeID: "ch_1", idempotencyKey: key, code: "insufficient_funds", message: "no funds"))
            case .webhookRefundedFull: return hook(.chargeRefunded(full))
            case .webhookRefundedPartial: return hook(.chargeRefunded(partial))
            case .refundAnsweredFull: return .refundAnswered(full)
            case .refundAnsweredPartial: return .refundAnswered(partial)
            case .overdueAlert: return .overdueAlertRaised
            }
        }
    }

    enum Outcome: Equatable, CustomStringConvertible {
        case to(PaymentStatus)      // advanced to this status
        case updated                // same status, fields changed
        case ignored
        case contradicted

        var description: String {
            switch self {
            case .to(let status): "→\(status.rawValue)"
            case .updated: "updated"
            case .ignored: "ignored"
            case .contradicted: "contradicted"
            }
        }
    }

    /// The whole table. Columns follow `EventCase.allCases`.
    static let expected: [PaymentStatus: [EventCase: Outcome]] = [
        .pending: [
            .answeredSucceeded: .to(.captured), .answeredDeclined: .to(.declined), .answeredProcessingError: .to(.notCharged),
            .unanswered: .updated, .checkedSucceeded: .to(.captured), .checkedDeclined: .to(.declined),
            .checkedNotFound: .updated, .checkedProcessing: .updated, .checkedUnavailable: .updated,
            .webhookSucceeded: .to(.captured), .webhookFailed: .to(.declined), .webhookRefundedFull: .to(.refunded),
            .webhookRefundedPartial: .to(.captured), .refundAnsweredFull: .to(.refunded), .refundAnsweredPartial: .to(.captured),
            .overdueAlert: .updated,
        ],
        .captured: [
            .answeredSucceeded: .ignored, .answeredDeclined: .contradicted, .answeredProcessingError: .contradicted,
            .unanswered: .ignored, .checkedSucceeded: .ignored, .checkedDeclined: .contradicted,
            .checkedNotFound: .ignored, .checkedProcessing: .ignored, .checkedUnavailable: .ignored,
            .webhookSucceeded: .ignored, .webhookFailed: .contradicted, .webhookRefundedFull: .to(.refunded),
            .webhookRefundedPartial: .updated, .refundAnsweredFull: .to(.refunded), .refundAnsweredPartial: .updated,
            .overdueAlert: .ignored,
        ],
        .declined: failedRow,
        .notCharged: failedRow,
        .refunded: [
            .answeredSucceeded: .ignored, .answeredDeclined: .contradicted, .answeredProcessingError: .contradicted,
            .unanswered: .ignored, .checkedSucceeded: .ignored, .checkedDeclined: .contradicted,
            .checkedNotFound: .ignored, .checkedProcessing: .ignored, .checkedUnavailable: .ignored,
            .webhookSucceeded: .ignored, .webhookFailed: .contradicted, .webhookRefundedFull: .ignored,
            .webhookRefundedPartial: .ignored, .refundAnsweredFull: .ignored, .refundAnsweredPartial: .ignored,
            .overdueAlert: .ignored,
        ],
    ]

    /// DECLINED and NOT_CHARGED: anything saying the card was charged contradicts them.
    static let failedRow: [EventCase: Outcome] = [
        .answeredSucceeded: .contradicted, .answeredDeclined: .ignored, .answeredProcessingError: .ignored,
        .unanswered: .ignored, .checkedSucceeded: .contradicted, .checkedDeclined: .ignored,
        .checkedNotFound: .ignored, .checkedProcessing: .ignored, .checkedUnavailable: .ignored,
        .webhookSucceeded: .contradicted, .webhookFailed: .ignored, .webhookRefundedFull: .contradicted,
        .webhookRefundedPartial: .contradicted, .refundAnsweredFull: .contradicted, .refundAnsweredPartial: .contradicted,
        .overdueAlert: .ignored,
    ]

    @Test("the table is complete")
    func tableComplete() {
        #expect(Set(Self.expected.keys) == Set(PaymentStatus.allCases))
        for row in Self.expected.values { #expect(Set(row.keys) == Set(EventCase.allCases)) }
    }

    @Test("every state × every event", arguments: PaymentStatus.allCases, EventCase.allCases)
    func transition(from status: PaymentStatus, event: EventCase) throws {
        let before = payment(status)
        let now = t0.plus(40)
        let transition = before.apply(event.event, at: now, policy: defaultPolicy)
        let after = transition.payment
        let outcome: Outcome = switch transition.effect {
        case .advanced(let from, let to):
            from == status ? .to(to) : .contradicted
        case .updated: .updated
        case .ignored: .ignored
        case .contradicted: .contradicted
        }
        #expect(outcome == Self.expected[status]?[event], "\(status) + \(event)")

        // Forward only, and nothing changes unless the effect says so.
        #expect(rank(after.status) >= rank(status))
        if transition.changed {
            #expect(after.version == before.version + 1)
            #expect(after.updatedAt == now)
        } else {
            #expect(after == before)
            #expect(transition.notifications.isEmpty)
        }
        // One notification per status reached, in order, each for this payment.
        var reached: [PaymentStatus] = []
        if case .advanced(_, let to) = transition.effect {
            if status == .pending, to == .refunded { reached = [.captured, .refunded] } else { reached = [to] }
        }
        #expect(transition.notifications.map(\.status) == reached)
        #expect(transition.notifications.allSatisfy { $0.paymentID == before.id && $0.bookingID == "b-1" && $0.nextAttemptAt == now })
        // What each status implies.
        switch after.status {
        case .captured, .refunded:
            #expect(after.providerChargeID == "ch_1")
            #expect(after.refundedAmount <= after.capturedAmount)
            #expect(after.declineCode.isEmpty)
        case .declined:
            #expect(!after.declineCode.isEmpty)
        case .pending, .notCharged:
            break
        }
        if after.status == .refunded { #expect(after.refundableAmount == 0) }
        // A charge the provider made for a payment already given up on is refunded, whole.
        if transition.effect == .contradicted(status), status == .declined || status == .notCharged {
            #expect(transition.orphanChargeRefund == ProviderRefundCall(
                chargeID: "ch_1", amount: 1000, idempotencyKey: "orphan-ch_1",
                reason: "charged after the payment was settled as \(status.rawValue)"))
        } else {
            #expect(transition.orphanChargeRefund == nil)
        }
        if after.status != .pending { #expect(after.providerCallDeadline == nil || after == before) }
    }

    @Test("a timeout leaves PENDING and schedules the first check")
    func timeoutLeavesPending() {
        let before = payment(.pending)
        let after = before.apply(.chargeUnanswered, at: t0.plus(30), policy: defaultPolicy).payment
        #expect(after.status == .pending)
        #expect(after.providerCallDeadline == nil)
        #expect(after.nextCheckAt == t0.plus(35))
    }

    @Test("'not found' means NOT_CHARGED only after the provider timeout plus the grace")
    func notFoundGrace() {
        let pending = payment(.pending) // the call started at t0; timeout 30 s, grace 120 s
        let early = pending.apply(.providerChecked(.notFound), at: t0.plus(149), policy: defaultPolicy)
        #expect(early.payment.status == .pending)
        #expect(early.payment.unresolvedChecks == 1)
        #expect(early.payment.nextCheckAt == t0.plus(154))
        let late = pending.apply(.providerChecked(.notFound), at: t0.plus(150), policy: defaultPolicy)
        #expect(late.effect == .advanced(from: .pending, to: .notCharged))
        #expect(late.notifications.map(\.id) == ["pay-b-1/NOT_CHARGED"])
    }

    @Test("decline codes are DECLINED, other failure codes NOT_CHARGED")
    func failureClassification() {
        for (code, status) in [("card_declined", PaymentStatus.declined), ("insufficient_funds", .declined),
                               ("expired_card", .declined), ("processing_error", .notCharged), ("", .notCharged)] {
            let after = payment(.pending).apply(.chargeAnswered(.failed(chargeID: nil, code: code, message: "m")), at: t0, policy: defaultPolicy)
            #expect(after.payment.status == status, "\(code)")
            #expect(after.payment.declineCode == code)
        }
    }

    @Test("partial refunds add up to REFUNDED; a refund for another charge or beyond the rest is ignored")
    func refundsAddUp() {
        var current = payment(.captured)
        let policy = defaultPolicy
        let first = current.apply(.refundAnswered(ProviderRefund(refundID: "re_a", chargeID: "ch_1", amount: 300, reason: "")), at: t0, policy: policy)
        #expect(first.effect == .updated)
        current = first.payment
        #expect(current.apply(.refundAnswered(ProviderRefund(refundID: "re_b", chargeID: "ch_2", amount: 100, reason: "")), at: t0, policy: policy).effect == .ignored)
        #expect(current.apply(.refundAnswered(ProviderRefund(refundID: "re_b", chargeID: "ch_1", amount: 701, reason: "")), at: t0, policy: policy).effect == .ignored)
        let rest = current.apply(.refundAnswered(ProviderRefund(refundID: "re_b", chargeID: "ch_1", amount: 700, reason: "")), at: t0, policy: policy)
        #expect(rest.effect == .advanced(from: .captured, to: .refunded))
        #expect(rest.payment.refunds.map(\.providerRefundID) == ["re_a", "re_b"])
        #expect(rest.payment.refundedAmount == 1000)
        #expect(rest.notifications.map(\.id) == ["pay-b-1/REFUNDED"])
    }
}
