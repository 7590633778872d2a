import BoxOfficePayment
import Foundation
import Testing

/// Whatever order the same facts arrive in — answers, checks, webhooks, duplicates — a payment ends
/// in the same state with the same notifications.
@Suite("Payment: webhook ordering permutations")
struct WebhookOrderingTests {
    static let key = ProviderChargeCall.idempotencyKey(forBooking: "b-1")

    /// A fact as it reaches the service; webhooks go through the intake with event-id deduplication.
    enum Fact: Hashable {
        case event(PaymentEvent)
        case hook(ProviderWebhookEvent)
    }

    static func hook(_ id: String, _ sequence: Int64, _ body: ProviderWebhookEvent.Body) -> Fact {
        .hook(ProviderWebhookEvent(id: id, createdAt: t0, sequence: sequence, body: body))
    }

    /// Applies `facts` in order to a PENDING payment, as the service would (processed ids kept).
    static func run(_ facts: [Fact]) -> (Payment, [OutcomeNotification]) {
        var current = payment(.pending)
        var processed: Set<String> = []
        var notifications: [OutcomeNotification] = []
        for (index, fact) in facts.enumerated() {
            let now = t0.plus(Double(31 + index))
            let transition: PaymentTransition
            switch fact {
            case .event(let event):
                transition = current.apply(event, at: now, policy: defaultPolicy)
            case .hook(let event):
                switch WebhookIntakeDecision(event, payment: current, alreadyProcessed: processed.contains(event.id), at: now, policy: defaultPolicy) {
                case .duplicate, .unknownPayment:
                    continue
                case .apply(let applied):
                    processed.insert(event.id)
                    transition = applied
                }
            }
            #expect(transition.effect != .contradicted(current.status))
            #expect(rank(transition.payment.status) >= rank(current.status))
            current = transition.payment
            notifications += transition.notifications
        }
        return (current, notifications)
    }

    static func permutations<T>(_ items: [T]) -> [[T]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { index in
            var rest = items
            let head = rest.remove(at: index)
            return permutations(rest).map { [head] + $0 }
        }
    }

    static func signature(_ payment: Payment) -> String {
        "\(payment.status) \(payment.providerChargeID ?? "-") \(payment.refunds.map(\.providerRefundID).sorted()) \(payment.refundedAmount) \(payment.declineCode)"
    }

    @Test("capture, two partial refunds and duplicates: every one of 720 orders ends REFUNDED the same way")
    func captureAndRefunds() {
        let first = ProviderRefund(refundID: "re_1", chargeID: "ch_1", amount: 600, reason: "a")
        let second = ProviderRefund(refundID: "re_2", chargeID: "ch_1", amount: 400, reason: "b")
        let facts: [Fact] = [
            Self.hook("evt_1", 1, .chargeSucceeded(chargeID: "ch_1", idempotencyKey: Self.key)),
            Self.hook("evt_2", 2, .chargeRefunded(first)),
            Self.hook("evt_3", 3, .chargeRefunded(second)),
            Self.hook("evt_1", 1, .chargeSucceeded(chargeID: "ch_1", idempotencyKey: Self.key)), // delivered twice
            .event(.chargeUnanswered),
            .event(.refundAnswered(first)),
        ]
        let all = Self.permutations(facts)
        #expect(all.count == 720)
        var endings: Set<String> = []
        for order in all {
            let (final, notifications) = Self.run(order)
            endings.insert(Self.signature(final))
            #expect(notifications.map(\.id) == ["pay-b-1/CAPTURED", "pay-b-1/REFUNDED"])
        }
        #expect(endings == ["refunded ch_1 [\"re_1\", \"re_2\"] 1000 "])
    }

    @Test("a decline seen by answer, check and webhook in any order ends DECLINED once")
    func declineEverywhere() {
        let declined = ProviderChargeResult.failed(chargeID: "ch_1", code: "card_declined", message: "declined")
        let facts: [Fact] = [
            .event(.chargeUnanswered),
            .event(.providerChecked(.processing)),
            .event(.providerChecked(.found(declined))),
            Self.hook("evt_1", 1, .chargeFailed(chargeID: "ch_1", idempotencyKey: Self.key, code: "card_declined", message: "declined")),
            Self.hook("evt_1", 1, .chargeFailed(chargeID: "ch_1", idempotencyKey: Self.key, code: "card_declined", message: "declined")),
        ]
        var endings: Set<String> = []
        for order in Self.permutations(facts) {
            let (final, notifications) = Self.run(order)
            endings.insert(Self.signature(final))
            #expect(notifications.map(\.id) == ["pay-b-1/DECLINED"])
        }
        #expect(endings == ["declined ch_1 [] 0 card_declined"])
    }

    @Test("a late charge after a timeout, found by check or webhook in any order, ends CAPTURED once")
    func lateCapture() {
        let facts: [Fact] = [
            .event(.chargeUnanswered),
            .event(.providerChecked(.processing)),
            .event(.providerChecked(.unavailable)),
            .event(.providerChecked(.found(.succeeded(chargeID: "ch_1")))),
            Self.hook("evt_1", 1, .chargeSucceeded(chargeID: "ch_1", idempotencyKey: Self.key)),
            .event(.overdueAlertRaised),
        ]
        var endings: Set<String> = []
        for order in Self.permutations(facts) {
            let (final, notifications) = Self.run(order)
            endings.insert(Self.signature(final))
            #expect(notifications.map(\.id) == ["pay-b-1/CAPTURED"])
        }
        #expect(endings == ["captured ch_1 [] 0 "])
    }

    @Test("a webhook for no known payment is refused; a processed id is a duplicate")
    func intake() {
        let event = ProviderWebhookEvent(id: "evt_9", createdAt: t0, sequence: 1,
                                         body: .chargeSucceeded(chargeID: "ch_9", idempotencyKey: Self.key))
        #expect(WebhookIntakeDecision(event, payment: nil, alreadyProcessed: false, at: t0, policy: defaultPolicy) == .unknownPayment)
        #expect(WebhookIntakeDecision(event, payment: payment(.pending), alreadyProcessed: true, at: t0, policy: defaultPolicy) == .duplicate)
        #expect(event.paymentLookup == .bookingID("b-1"))
        let refund = ProviderWebhookEvent(id: "evt_10", createdAt: t0, sequence: 2,
                                          body: .chargeRefunded(ProviderRefund(refundID: "re", chargeID: "ch_9", amount: 1, reason: "")))
        #expect(refund.paymentLookup == .providerChargeID("ch_9"))
        let foreign = ProviderWebhookEvent(id: "evt_11", createdAt: t0, sequence: 1,
                                           body: .chargeSucceeded(chargeID: "ch_9", idempotencyKey: "someone-else"))
        #expect(foreign.paymentLookup == nil)
    }
}
