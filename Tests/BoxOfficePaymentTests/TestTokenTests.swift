import BoxOfficeProviderSimulator
import Foundation
import Testing

@Suite("Provider simulator: test tokens")
struct TestTokenTests {
    struct Expectation: Sendable, CustomStringConvertible {
        var token: TestToken
        var status: ChargeStatus
        var failure: FailureCode?
        var answersAfterCallerTimeout: Bool
        /// Seconds after the answer at which each delivery of the charge's event is due; empty = lost.
        var deliveryOffsets: [Double]
        var description: String { token.rawValue }
    }

    static let table: [Expectation] = [
        Expectation(token: .approve, status: .succeeded, answersAfterCallerTimeout: false, deliveryOffsets: [0]),
        Expectation(token: .declineCard, status: .failed, failure: .cardDeclined, answersAfterCallerTimeout: false, deliveryOffsets: [0]),
        Expectation(token: .declineFunds, status: .failed, failure: .insufficientFunds, answersAfterCallerTimeout: false, deliveryOffsets: [0]),
        Expectation(token: .timeoutCharge, status: .succeeded, answersAfterCallerTimeout: true, deliveryOffsets: [0]),
        Expectation(token: .timeoutNoCharge, status: .failed, failure: .processingError, answersAfterCallerTimeout: true, deliveryOffsets: [0]),
        Expectation(token: .webhookLost, status: .succeeded, answersAfterCallerTimeout: false, deliveryOffsets: []),
        Expectation(token: .webhookDelayed, status: .succeeded, answersAfterCallerTimeout: false, deliveryOffsets: [10]),
        Expectation(token: .webhookTwice, status: .succeeded, answersAfterCallerTimeout: false, deliveryOffsets: [0, 0]),
        Expectation(token: .webhookOutOfOrder, status: .succeeded, answersAfterCallerTimeout: false, deliveryOffsets: [20]),
    ]

    @Test("the table covers every token once")
    func tableCoversEveryToken() {
        #expect(Set(Self.table.map(\.token)) == Set(TestToken.allCases))
        #expect(Self.table.count == TestToken.allCases.count)
    }

    @Test("each token charges, answers and sends webhooks as documented", arguments: table)
    func tokenBehaviour(_ expected: Expectation) throws {
        var ledger = ChargeLedger(configuration: SimulatorConfiguration(), seed: 1)
        let request = CreateChargeRequest(idempotencyKey: "key-1", amount: 2500, currency: "EUR",
                                          paymentToken: expected.token.rawValue, metadata: ["booking_id": "b-1"])
        guard case .answerLater(let id, let answerAt) = ledger.createCharge(request, at: t0) else {
            Issue.record("expected the charge to be processed")
            return
        }
        let delay = answerAt.timeIntervalSince(t0)
        if expected.answersAfterCallerTimeout {
            #expect(delay > 30, "answers only after the caller's 30 s timeout")
            #expect(delay == 35)
        } else {
            #expect(abs(delay - 0.05) < 1e-6, "answers after the base latency")
        }
        // Until the answer, the charge is processing and a retry is a conflict.
        #expect(try ledger.charge(.idempotencyKey("key-1")).status == .processing)
        let retry = ledger.createCharge(request, at: t0.plus(1))
        #expect(retry == .reject(ProviderError(.conflict, "a request with idempotency key \"key-1\" is still being processed")))
        #expect(ledger.nextDueDate == answerAt)
        #expect(ledger.dueCompletions(at: answerAt.plus(-0.001)).isEmpty)
        #expect(ledger.dueCompletions(at: answerAt) == [id])

        let completed = ledger.completeCharge(id: id, at: answerAt)
        let charge = try #require(completed)
        #expect(charge.status == expected.status)
        #expect(charge.failureCode == expected.failure)
        #expect(charge.failureMessage == (expected.failure?.message ?? ""))
        #expect(try ledger.charge(.chargeID(id)) == charge)
        #expect(ledger.dueCompletions(at: answerAt.plus(100)).isEmpty)

        let deliveries = ledger.webhooks.all
        #expect(deliveries.map { $0.deliverAt.timeIntervalSince(answerAt) } == expected.deliveryOffsets)
        #expect(Set(deliveries.map(\.event.id)).count == (deliveries.isEmpty ? 0 : 1), "duplicates carry one event id")
        for delivery in deliveries {
            #expect(delivery.event.kind == (expected.status == .succeeded ? .chargeSucceeded : .chargeFailed))
            #expect(delivery.event.sequence == 1)
            #expect(delivery.event.payload == .charge(charge))
        }
        if expected.deliveryOffsets.isEmpty {
            #expect(ledger.webhooks.nextDueDate == nil, "a lost webhook is never scheduled")
            #expect(ledger.nextDueDate == nil)
        } else {
            #expect(ledger.nextDueDate == answerAt.plus(expected.deliveryOffsets[0]))
        }
    }

    @Test("out-of-order: a refund's event overtakes the held-back charge event")
    func outOfOrderRefundOvertakes() throws {
        var ledger = ChargeLedger(seed: 1)
        let request = CreateChargeRequest(idempotencyKey: "k", amount: 1000, currency: "USD", paymentToken: TestToken.webhookOutOfOrder.rawValue)
        guard case .answerLater(let id, let answerAt) = ledger.createCharge(request, at: t0) else {
            Issue.record("expected processing")
            return
        }
        ledger.completeCharge(id: id, at: answerAt)
        let refund = try ledger.createRefund(CreateRefundRequest(chargeID: id, amount: 400, idempotencyKey: "r1"), at: answerAt.plus(1))
        let first = ledger.webhooks.due(at: answerAt.plus(1))
        #expect(first.map(\.event.kind) == [.chargeRefunded])
        #expect(first.map(\.event.sequence) == [2])
        #expect(first.first?.event.payload == .refund(refund))
        let later = ledger.webhooks.due(at: answerAt.plus(20))
        #expect(later.map(\.event.kind) == [.chargeRefunded, .chargeSucceeded])
        #expect(later.last?.event.sequence == 1)
    }

    @Test("lost and twice apply to refund events of the same charge too")
    func refundEventsFollowTheToken() throws {
        for (token, expectedDeliveries) in [(TestToken.webhookLost, 0), (.webhookTwice, 4), (.approve, 2)] {
            var ledger = ChargeLedger(seed: 1)
            let request = CreateChargeRequest(idempotencyKey: "k", amount: 1000, currency: "USD", paymentToken: token.rawValue)
            guard case .answerLater(let id, let answerAt) = ledger.createCharge(request, at: t0) else {
                Issue.record("expected processing")
                return
            }
            ledger.completeCharge(id: id, at: answerAt)
            _ = try ledger.createRefund(CreateRefundRequest(chargeID: id, idempotencyKey: "r1"), at: answerAt)
            #expect(ledger.webhooks.all.count == expectedDeliveries, "\(token)")
        }
    }
}
