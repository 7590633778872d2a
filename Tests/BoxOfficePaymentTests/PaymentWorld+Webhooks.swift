import BoxOfficePayment
import BoxOfficeProviderSimulator
import Foundation
import Testing

/// The provider side of the world: webhook delivery, the receiver, and replay attempts.
extension PaymentWorld {
    mutating func deliverWebhooks() async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for delivery in ledger.webhooks.due(at: now) {
            if random.chance(0.15) {
                ledger.recordDelivery(delivery.id, acknowledged: false, at: now) // receiver unreachable
                continue
            }
            var payload = Array(try encoder.encode(delivery.event))
            let header = signer.signatureHeader(for: payload, at: now)
            if random.chance(0.03) {
                // Tampered in transit: refused, and the provider tries again.
                payload[payload.count / 2] ^= 0x04
                #expect(throws: WebhookVerificationError.signatureMismatch) {
                    try verifier.verify(payload: payload, signatureHeader: header, at: now)
                }
                stats.rejectedSignatures += 1
                ledger.recordDelivery(delivery.id, acknowledged: false, at: now)
                continue
            }
            try verifier.verify(payload: payload, signatureHeader: header, at: now)
            signedDeliveries.append((payload, header, now))
            let accepted = try await receive(payload)
            ledger.recordDelivery(delivery.id, acknowledged: accepted && !random.chance(0.1), at: now)
        }
    }

    /// The webhook receiver after verification: decode, deduplicate, apply.
    mutating func receive(_ payload: [UInt8]) async throws -> Bool {
        let decoded = try JSONDecoder().decode(WebhookEvent.self, from: Data(payload))
        let event = providerWebhookEvent(decoded)
        let lookup = try #require(event.paymentLookup)
        let payment = await store.payment(lookup)
        let processed = await store.isEventProcessed(event.id)
        switch WebhookIntakeDecision(event, payment: payment, alreadyProcessed: processed, at: now, policy: policy) {
        case .duplicate:
            stats.duplicateWebhooks += 1
            return true
        case .unknownPayment:
            Issue.record("webhook for an unknown payment: \(event)")
            return false
        case .apply(let transition):
            if let orphan = transition.orphanChargeRefund {
                // Refund first, then record the event: a crash in between redelivers and retries.
                let refund = try ledger.createRefund(CreateRefundRequest(
                    chargeID: orphan.chargeID, amount: orphan.amount, idempotencyKey: orphan.idempotencyKey, reason: orphan.reason), at: now)
                #expect(refund.amount == orphan.amount)
                if orphanCharges.insert(orphan.chargeID).inserted { stats.orphanRefunds += 1 }
            } else if case .contradicted = transition.effect {
                contradictions.append("webhook \(event)")
            }
            #expect(await store.commit(transition, processedEventID: event.id))
            return true
        }
    }

    /// An attacker (or a confused proxy) replays an earlier signed delivery: refused when older than
    /// the replay window, a harmless duplicate inside it.
    mutating func replayOldWebhook() async throws {
        guard !signedDeliveries.isEmpty else { return }
        let old = signedDeliveries[Int.random(in: 0..<signedDeliveries.count, using: &random)]
        if now.timeIntervalSince(old.signedAt) > 300 {
            #expect(throws: WebhookVerificationError.timestampTooOld(signedAt: Date(timeIntervalSince1970: old.signedAt.timeIntervalSince1970.rounded(.down)), tolerance: .seconds(300))) {
                try verifier.verify(payload: old.payload, signatureHeader: old.header, at: now)
            }
            stats.replaysRefused += 1
        } else {
            try verifier.verify(payload: old.payload, signatureHeader: old.header, at: now)
            let duplicatesBefore = stats.duplicateWebhooks
            #expect(try await receive(old.payload))
            #expect(stats.duplicateWebhooks == duplicatesBefore + 1, "an applied event is never applied again")
            stats.replaysDeduplicated += 1
        }
    }
}
