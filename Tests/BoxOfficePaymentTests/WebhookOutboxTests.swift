import BoxOfficeProviderSimulator
import Foundation
import Testing

@Suite("Provider simulator: webhook redelivery")
struct WebhookOutboxTests {
    func ledgerWithOneDelivery(retry: RetryBackoff = RetryBackoff()) -> (ChargeLedger, WebhookOutbox.Delivery, Date)? {
        var ledger = ChargeLedger(configuration: SimulatorConfiguration(webhookRetry: retry), seed: 3)
        let request = CreateChargeRequest(idempotencyKey: "k", amount: 100, currency: "USD", paymentToken: "tok_approve")
        guard case .answerLater(let id, let answerAt) = ledger.createCharge(request, at: t0) else { return nil }
        ledger.completeCharge(id: id, at: answerAt)
        guard let delivery = ledger.webhooks.due(at: answerAt).first else { return nil }
        return (ledger, delivery, answerAt)
    }

    @Test("backoff doubles from the initial wait up to the maximum")
    func backoffSchedule() {
        let backoff = RetryBackoff(initial: .seconds(1), maximum: .seconds(60), maxAttempts: 10)
        #expect((1...9).map { backoff.delay(afterFailedAttempts: $0) } ==
                [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32), .seconds(60), .seconds(60), .seconds(60)])
    }

    @Test("an unacknowledged delivery is retried with backoff until acknowledged")
    func retriedUntilAcknowledged() throws {
        var (ledger, delivery, start) = try #require(ledgerWithOneDelivery())
        #expect(delivery.attempt == 1)
        var now = start
        var attempts: [Double] = []
        for _ in 0..<4 {
            let due = ledger.webhooks.due(at: now)
            #expect(due.map(\.id) == [delivery.id])
            attempts.append(now.timeIntervalSince(start))
            ledger.recordDelivery(delivery.id, acknowledged: false, at: now)
            now = try #require(ledger.webhooks.nextDueDate)
        }
        #expect(attempts == [0, 1, 3, 7], "waits of 1, 2 and 4 s")
        #expect(ledger.webhooks.delivery(id: delivery.id)?.attempt == 5)
        ledger.recordDelivery(delivery.id, acknowledged: true, at: now)
        #expect(ledger.webhooks.delivery(id: delivery.id)?.state == .acknowledged)
        #expect(ledger.webhooks.nextDueDate == nil)
        #expect(ledger.webhooks.due(at: now.plus(3600)).isEmpty)
        // A late answer to an old attempt changes nothing.
        ledger.recordDelivery(delivery.id, acknowledged: false, at: now.plus(1))
        #expect(ledger.webhooks.delivery(id: delivery.id)?.state == .acknowledged)
    }

    @Test("a delivery is abandoned after the last attempt")
    func abandoned() throws {
        var (ledger, delivery, start) = try #require(ledgerWithOneDelivery(retry: RetryBackoff(initial: .seconds(1), maximum: .seconds(2), maxAttempts: 3)))
        var now = start
        for _ in 0..<3 {
            ledger.recordDelivery(delivery.id, acknowledged: false, at: now)
            now = ledger.webhooks.nextDueDate ?? now
        }
        #expect(ledger.webhooks.delivery(id: delivery.id)?.state == .abandoned)
        #expect(ledger.webhooks.nextDueDate == nil)
    }

    @Test("deliveries due together come out in creation order")
    func dueOrder() throws {
        var ledger = ChargeLedger(seed: 1)
        var ids: [String] = []
        for index in 0..<3 {
            let request = CreateChargeRequest(idempotencyKey: "k\(index)", amount: 100, currency: "USD", paymentToken: "tok_webhook_twice")
            guard case .answerLater(let id, _) = ledger.createCharge(request, at: t0) else { return }
            ids.append(id)
        }
        for id in ids { ledger.completeCharge(id: id, at: t0.plus(1)) }
        let due = ledger.webhooks.due(at: t0.plus(1))
        #expect(due.map(\.event.chargeID) == ids.flatMap { [$0, $0] })
    }
}
