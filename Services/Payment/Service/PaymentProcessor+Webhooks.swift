import Foundation
import Logging

extension PaymentProcessor {
    /// What a verified webhook delivery did.
    public enum WebhookReceipt: Sendable, Hashable {
        /// Applied (possibly changing nothing, when late or superseded).
        case applied(PaymentTransition.Effect)
        /// The event id was processed before; nothing changed.
        case duplicate
    }

    /// Verifies, decodes and applies one webhook delivery, at most once per event id.
    /// - Throws: ``PaymentError`` `unauthenticated` (signature missing, wrong, or outside the
    ///   replay window), `invalidArgument` (not a valid event), `notFound` (no payment for it);
    ///   nothing changes then.
    public func receiveWebhook(payload: [UInt8], signature: String?) async throws -> WebhookReceipt {
        do {
            try verifier.verify(payload: payload, signatureHeader: signature, at: clock())
        } catch {
            metrics.webhook("rejected")
            throw PaymentError(.unauthenticated, error.description)
        }
        let event = try ProviderWebhookEvent(payload: payload)
        guard let lookup = event.paymentLookup else {
            throw PaymentError(.notFound, "webhook event \(event.id) is about a charge this service did not make")
        }
        for _ in 0..<Self.maxCommitAttempts {
            let processed = try await store.isEventProcessed(event.id)
            let payment = try await store.payment(lookup)
            switch WebhookIntakeDecision(event, payment: payment, alreadyProcessed: processed, at: clock(), policy: policy) {
            case .duplicate:
                metrics.webhook("duplicate")
                return .duplicate
            case .unknownPayment:
                metrics.webhook("rejected")
                throw PaymentError(.notFound, "webhook event \(event.id) is about a charge with no payment here")
            case .apply(let transition):
                try await refundOrphanCharge(of: transition)
                if try await store.commit(transition, processedEventID: event.id) {
                    metrics.webhook("applied")
                    record(transition, cause: "webhook \(event.id)")
                    return .applied(transition.effect)
                }
            }
        }
        throw PaymentError(.aborted, "webhook event \(event.id) lost \(Self.maxCommitAttempts) races in a row; redeliver it")
    }
}
