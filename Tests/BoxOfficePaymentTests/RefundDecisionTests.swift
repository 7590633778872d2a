import BoxOfficePayment
import Foundation
import Testing

@Suite("Payment: refund decisions")
struct RefundDecisionTests {
    @Test("a full refund of a captured payment, then idempotent by key")
    func fullRefund() {
        let captured = payment(.captured)
        let command = RefundCommand(bookingID: "b-1", reason: "seats gone", idempotencyKey: "k-1")
        #expect(RefundDecision(command, payment: captured) ==
                .callProvider(ProviderRefundCall(chargeID: "ch_1", amount: 1000, idempotencyKey: "k-1", reason: "seats gone")))
        let refunded = captured.apply(.refundAnswered(ProviderRefund(refundID: "re_1", chargeID: "ch_1", amount: 1000, reason: "seats gone", idempotencyKey: "k-1")),
                                      at: t0.plus(1), policy: defaultPolicy)
        #expect(refunded.payment.status == .refunded)
        #expect(RefundDecision(command, payment: refunded.payment) == .answer(refunded.payment))
        // Any later "refund the rest" finds nothing left to do and answers with the payment.
        let otherKey = RefundDecision(RefundCommand(bookingID: "b-1", reason: "", idempotencyKey: "k-2"), payment: refunded.payment)
        #expect(otherKey == .answer(refunded.payment))
        let partial = RefundDecision(RefundCommand(bookingID: "b-1", amountMinor: 100, reason: "", idempotencyKey: "k-3"), payment: refunded.payment)
        #expect(partial == .reject(PaymentError(.failedPrecondition,
            "the payment for booking b-1 is REFUNDED; only a CAPTURED payment can be refunded")))
    }

    @Test("a refund learnt from the webhook first picks up our key when our answer arrives")
    func webhookFirst() {
        let fromWebhook = payment(.captured).apply(
            .webhook(ProviderWebhookEvent(id: "evt_r", createdAt: t0, sequence: 2,
                                          body: .chargeRefunded(ProviderRefund(refundID: "re_1", chargeID: "ch_1", amount: 1000, reason: "r")))),
            at: t0, policy: defaultPolicy).payment
        #expect(fromWebhook.status == .refunded)
        #expect(fromWebhook.refunds.map(\.idempotencyKey) == [""])
        let answered = fromWebhook.apply(
            .refundAnswered(ProviderRefund(refundID: "re_1", chargeID: "ch_1", amount: 1000, reason: "r", idempotencyKey: "k-1")),
            at: t0.plus(1), policy: defaultPolicy)
        #expect(answered.effect == .updated)
        #expect(answered.payment.refunds.map(\.idempotencyKey) == ["k-1"])
        #expect(answered.payment.refundedAmount == 1000, "recorded once")
        #expect(RefundDecision(RefundCommand(bookingID: "b-1", amountMinor: 1000, reason: "r", idempotencyKey: "k-1"), payment: answered.payment)
                == .answer(answered.payment))
    }

    @Test("without a key, the full refund is keyed by the payment, so repeating it is harmless")
    func defaultKey() {
        let command = RefundCommand(bookingID: "b-1", reason: "r", idempotencyKey: "")
        #expect(RefundDecision(command, payment: payment(.captured)) ==
                .callProvider(ProviderRefundCall(chargeID: "ch_1", amount: 1000, idempotencyKey: "pay-b-1-full-refund", reason: "r")))
        var refunded = payment(.refunded)
        refunded.refunds[0].idempotencyKey = "from-a-webhook"
        #expect(RefundDecision(command, payment: refunded) == .answer(refunded))
    }

    @Test("partial refunds: never more than captured minus refunded")
    func partial() {
        var current = payment(.captured)
        #expect(RefundDecision(RefundCommand(bookingID: "b-1", amountMinor: 300, reason: "", idempotencyKey: "a"), payment: current) ==
                .callProvider(ProviderRefundCall(chargeID: "ch_1", amount: 300, idempotencyKey: "a", reason: "")))
        current = current.apply(.refundAnswered(ProviderRefund(refundID: "re_a", chargeID: "ch_1", amount: 300, reason: "", idempotencyKey: "a")),
                                at: t0, policy: defaultPolicy).payment
        #expect(RefundDecision(RefundCommand(bookingID: "b-1", amountMinor: 701, reason: "", idempotencyKey: "b"), payment: current) ==
                .reject(PaymentError(.failedPrecondition, "a refund of 7.01 USD exceeds the 7.00 USD still refundable for booking b-1")))
        #expect(RefundDecision(RefundCommand(bookingID: "b-1", amountMinor: 0, reason: "", idempotencyKey: "b"), payment: current) ==
                .reject(PaymentError(.invalidArgument, "refund amount must be positive, got 0.00 USD")))
        #expect(RefundDecision(RefundCommand(bookingID: "b-1", amountMinor: -1, reason: "", idempotencyKey: "b"), payment: current) ==
                .reject(PaymentError(.invalidArgument, "refund amount must be positive, got -0.01 USD")))
        #expect(RefundDecision(RefundCommand(bookingID: "b-1", reason: "", idempotencyKey: "b"), payment: current) ==
                .callProvider(ProviderRefundCall(chargeID: "ch_1", amount: 700, idempotencyKey: "b", reason: "")))
        // The same key with another amount is a different request.
        #expect(RefundDecision(RefundCommand(bookingID: "b-1", amountMinor: 200, reason: "", idempotencyKey: "a"), payment: current) ==
                .reject(PaymentError(.invalidArgument, "idempotency key \"a\" was used for a refund of 3.00 USD; this request asks 2.00 USD")))
        #expect(RefundDecision(RefundCommand(bookingID: "b-1", amountMinor: 300, reason: "", idempotencyKey: "a"), payment: current) == .answer(current))
    }

    @Test("only a captured payment can be refunded", arguments: [PaymentStatus.pending, .declined, .notCharged])
    func notCaptured(status: PaymentStatus) {
        let decision = RefundDecision(RefundCommand(bookingID: "b-1", reason: "", idempotencyKey: "k"), payment: payment(status))
        #expect(decision == .reject(PaymentError(.failedPrecondition,
            "the payment for booking b-1 is \(status.rawValue); only a CAPTURED payment can be refunded")))
    }

    @Test("unknown booking and empty booking id")
    func unknown() {
        #expect(RefundDecision(RefundCommand(bookingID: "b-9", reason: "", idempotencyKey: "k"), payment: nil) ==
                .reject(PaymentError(.notFound, "no payment for booking b-9")))
        #expect(RefundDecision(RefundCommand(bookingID: "", reason: "", idempotencyKey: "k"), payment: nil) ==
                .reject(PaymentError(.invalidArgument, "booking_id is empty; say which booking's payment to refund")))
    }
}
