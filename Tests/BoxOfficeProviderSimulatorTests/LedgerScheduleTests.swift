import BoxOfficeProviderSimulator
import Foundation
import Testing

/// The ledger's schedule without I/O: when timeout tokens answer given the caller's deadline, and
/// which webhook deliveries are due.
@Suite struct LedgerScheduleTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let configuration = SimulatorConfiguration(
        baseLatency: .milliseconds(20), callerTimeout: .seconds(30), lateAnswerMargin: .seconds(2))

    private func request(_ token: TestToken, key: String = "k") -> CreateChargeRequest {
        CreateChargeRequest(idempotencyKey: key, amount: 100, currency: "EUR", paymentToken: token.rawValue)
    }

    @Test("timeout tokens answer the margin after the caller's deadline, whatever the configured caller timeout",
          arguments: [TestToken.timeoutCharge, .timeoutNoCharge])
    func timeoutAfterDeadline(token: TestToken) {
        var ledger = ChargeLedger(configuration: configuration)
        let decision = ledger.createCharge(request(token), at: t0, callerDeadline: t0.addingTimeInterval(45))
        guard case .answerLater(let id, let answerAt) = decision else {
            Issue.record("expected answerLater, got \(decision)")
            return
        }
        #expect(answerAt == t0.addingTimeInterval(47))
        #expect(ledger.answerDate(ofCharge: id) == answerAt)
        #expect(ledger.nextAnswerDate == answerAt)
    }

    @Test("a deadline already past: the margin from now; no deadline: the configured caller timeout")
    func pastOrNoDeadline() {
        var ledger = ChargeLedger(configuration: configuration)
        let past = ledger.createCharge(request(.timeoutCharge, key: "a"), at: t0, callerDeadline: t0.addingTimeInterval(-5))
        #expect(past.answerAt == t0.addingTimeInterval(2))
        let none = ledger.createCharge(request(.timeoutCharge, key: "b"), at: t0)
        #expect(none.answerAt == t0.addingTimeInterval(32))
    }

    @Test("prompt tokens answer after the latency even when the caller allows longer")
    func promptIgnoresDeadline() {
        var ledger = ChargeLedger(configuration: configuration)
        let decision = ledger.createCharge(request(.approve), at: t0, callerDeadline: t0.addingTimeInterval(45))
        #expect(decision.answerAt == t0.addingTimeInterval(0.02))
    }

    @Test("completeDueCharges finishes exactly the charges due, once")
    func completeDue() {
        var ledger = ChargeLedger(configuration: configuration)
        _ = ledger.createCharge(request(.approve, key: "fast"), at: t0)
        _ = ledger.createCharge(request(.timeoutCharge, key: "slow"), at: t0)
        #expect(ledger.completeDueCharges(at: t0.addingTimeInterval(1)).map(\.idempotencyKey) == ["fast"])
        #expect(ledger.completeDueCharges(at: t0.addingTimeInterval(1)).isEmpty)
        #expect(ledger.completeDueCharges(at: t0.addingTimeInterval(40)).map(\.status) == [.succeeded])
        #expect(ledger.nextAnswerDate == nil)
    }

    @Test("deliveries being attempted are left out of the next due date; finished ones leave the schedule")
    func outboxSchedule() throws {
        var ledger = ChargeLedger(configuration: configuration)
        _ = ledger.createCharge(request(.webhookTwice), at: t0)
        ledger.completeDueCharges(at: t0.addingTimeInterval(1))
        let due = ledger.webhooks.due(at: t0.addingTimeInterval(1))
        #expect(due.count == 2 && ledger.webhooks.scheduledCount == 2)
        let first = try #require(due.first)
        #expect(ledger.webhooks.nextDueDate(excluding: Set(due.map(\.id))) == nil)
        #expect(ledger.webhooks.nextDueDate(excluding: [first.id]) == due[1].deliverAt)

        ledger.recordDelivery(first.id, acknowledged: true, at: t0.addingTimeInterval(2))
        ledger.recordDelivery(due[1].id, acknowledged: false, at: t0.addingTimeInterval(2))
        #expect(ledger.webhooks.scheduledCount == 1)
        #expect(ledger.webhooks.due(at: t0.addingTimeInterval(2)).isEmpty, "the failed one waits for its backoff")
        #expect(ledger.webhooks.nextDueDate == t0.addingTimeInterval(3), "1 s initial backoff")
        #expect(ledger.webhooks.all.map(\.state) == [.acknowledged, .scheduled], "creation order, finished included")
        #expect(ledger.webhooks.delivery(id: first.id)?.state == .acknowledged)
    }
}

extension ChargeLedger.CreateChargeDecision {
    /// The answer date of an `answerLater` decision.
    var answerAt: Date? {
        if case .answerLater(_, let answerAt) = self { answerAt } else { nil }
    }
}
