import BoxOfficeAPI
import BoxOfficeProviderSimulator
import BoxOfficeRPC
import Crypto
import Foundation
import Testing

/// Webhook delivery to a fake receiver: signed events, each token's delivery behaviour, retries
/// with backoff until acknowledged.
@Suite struct WebhookDeliveryTests {
    /// Checks a `t=…,v1=…` signature with the shared secret, independently of the simulator's signer.
    static func verify(_ delivery: ReceivedWebhook, secret: String = testWebhookSecret) -> Bool {
        var timestamp: String?
        var signature: String?
        for part in delivery.signature.split(separator: ",") {
            if part.hasPrefix("t=") { timestamp = String(part.dropFirst(2)) }
            if part.hasPrefix("v1=") { signature = String(part.dropFirst(3)) }
        }
        guard let timestamp, let seconds = Double(timestamp), let signature,
              abs(Date().timeIntervalSince1970 - seconds) < 300 else { return false }
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + delivery.payload,
                                                  using: SymmetricKey(data: Array(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined() == signature
    }

    @Test("an approved charge sends one signed charge.succeeded event carrying the charge")
    func approved() async throws {
        try await withSimulator { world in
            let charge = try await world.provider.createCharge(chargeRequest("tok_approve"))
            let deliveries = try await world.receiver.waitForDeliveries(forCharge: charge.id) { !$0.isEmpty }
            let delivery = try #require(deliveries.first)
            #expect(deliveries.count == 1)
            #expect(delivery.event.type == .chargeSucceeded)
            #expect(delivery.event.sequence == 1 && delivery.event.id.hasPrefix("evt_"))
            #expect(delivery.event.charge == charge)
            #expect(delivery.attempt == 1)
            #expect(Self.verify(delivery))
            #expect(!Self.verify(delivery, secret: "another secret"))
        }
    }

    @Test("a declined charge sends charge.failed")
    func declined() async throws {
        try await withSimulator { world in
            let charge = try await world.provider.createCharge(chargeRequest("tok_decline_funds"))
            let deliveries = try await world.receiver.waitForDeliveries(forCharge: charge.id) { !$0.isEmpty }
            #expect(deliveries.map(\.event.type) == [.chargeFailed])
            #expect(deliveries.first?.event.charge.failureCode == "insufficient_funds")
        }
    }

    @Test("tok_webhook_lost plans no event at all, while other charges' events go out")
    func lost() async throws {
        try await withSimulator { world in
            let lost = try await world.provider.createCharge(chargeRequest("tok_webhook_lost"))
            #expect(lost.status == .succeeded)
            let approved = try await world.provider.createCharge(chargeRequest("tok_approve"))
            let delivered = try await world.receiver.waitForDeliveries(forCharge: approved.id) { !$0.isEmpty }
            #expect(delivered.count == 1)
            #expect(world.simulator.ledgerSnapshot.webhooks.all.allSatisfy { $0.event.chargeID != lost.id })
            #expect(world.receiver.deliveries(forCharge: lost.id).isEmpty)
        }
    }

    @Test("tok_webhook_twice delivers the same event twice")
    func twice() async throws {
        try await withSimulator { world in
            let charge = try await world.provider.createCharge(chargeRequest("tok_webhook_twice"))
            let deliveries = try await world.receiver.waitForDeliveries(forCharge: charge.id) { $0.count >= 2 }
            #expect(deliveries.count == 2)
            #expect(Set(deliveries.map(\.event.id)).count == 1)
            #expect(deliveries.allSatisfy { Self.verify($0) })
        }
    }

    @Test("tok_webhook_delayed delivers only after the configured delay")
    func delayed() async throws {
        try await withSimulator { world in
            let start = ContinuousClock.now
            let charge = try await world.provider.createCharge(chargeRequest("tok_webhook_delayed"))
            let deliveries = try await world.receiver.waitForDeliveries(forCharge: charge.id) { !$0.isEmpty }
            let delivery = try #require(deliveries.first)
            #expect(delivery.receivedAt - start >= .milliseconds(300), "the delay is 300 ms from the charge")
            #expect(delivery.event.type == .chargeSucceeded)
        }
    }

    @Test("tok_webhook_out_of_order: a later event (the refund) overtakes the charge's first event")
    func outOfOrder() async throws {
        try await withSimulator { world in
            let charge = try await world.provider.createCharge(chargeRequest("tok_webhook_out_of_order", amount: 900))
            var refund = Boxoffice_Provider_V1_CreateRefundRequest()
            refund.chargeID = charge.id
            refund.idempotencyKey = "refund-\(charge.id)"
            _ = try await world.provider.createRefund(refund)
            let deliveries = try await world.receiver.waitForDeliveries(forCharge: charge.id) { $0.count >= 2 }
            #expect(deliveries.map(\.event.type) == [.chargeRefunded, .chargeSucceeded])
            #expect(deliveries.map(\.event.sequence) == [2, 1])
        }
    }

    @Test("unacknowledged deliveries are retried with backoff until acknowledged", arguments: [
        WebhookRecorder.Refusal.notAccepted, .unavailable,
    ])
    func retriedUntilAcknowledged(refusal: WebhookRecorder.Refusal) async throws {
        try await withSimulator(receiver: WebhookRecorder(refuseAttemptsUpTo: 2, refusal: refusal)) { world in
            let charge = try await world.provider.createCharge(chargeRequest("tok_approve"))
            let deliveries = try await world.receiver.waitForDeliveries(forCharge: charge.id) { $0.contains(where: \.accepted) }
            #expect(deliveries.map(\.attempt) == [1, 2, 3])
            #expect(deliveries.map(\.accepted) == [false, false, true])
            #expect(Set(deliveries.map(\.event.id)).count == 1)
            #expect(deliveries.allSatisfy { Self.verify($0) }, "every attempt is signed afresh")
            // Backoff: 30 ms, then 60 ms.
            #expect(deliveries[1].receivedAt - deliveries[0].receivedAt >= .milliseconds(25))
            #expect(deliveries[2].receivedAt - deliveries[1].receivedAt >= .milliseconds(55))
            let states = try await waitForLedger(world) { ledger in
                ledger.webhooks.all.filter { $0.event.chargeID == charge.id }.map(\.state) == [.acknowledged]
            }
            #expect(states)
        }
    }

    @Test("a receiver that never acknowledges gets maxAttempts attempts, then the delivery is abandoned")
    func abandoned() async throws {
        try await withSimulator(receiver: WebhookRecorder(refuseAttemptsUpTo: .max)) { world in
            let charge = try await world.provider.createCharge(chargeRequest("tok_approve"))
            let abandoned = try await waitForLedger(world) { ledger in
                ledger.webhooks.all.filter { $0.event.chargeID == charge.id }.map(\.state) == [.abandoned]
            }
            #expect(abandoned)
            #expect(world.receiver.deliveries(forCharge: charge.id).map(\.attempt) == [1, 2, 3, 4, 5])
        }
    }

    /// Waits (polling every 10 ms, at most 5 s) until `condition` holds for the simulator's ledger.
    private func waitForLedger(_ world: SimulatorWorld, _ condition: (ChargeLedger) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if condition(world.simulator.ledgerSnapshot) { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition(world.simulator.ledgerSnapshot)
    }
}
