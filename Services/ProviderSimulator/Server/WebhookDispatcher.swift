import BoxOfficeAPI
import BoxOfficeRPC
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Delivers the ledger's webhook events, signed, to `boxoffice.provider.v1.WebhookReceiver/Deliver`
/// and reports each answer back, so unacknowledged events are retried with backoff; also finishes
/// charges whose answer is due when no caller waits for them.
///
/// Runs until graceful shutdown; attempts in flight then are cancelled and count as failed.
struct WebhookDispatcher: Service {
    let ledger: SharedLedger
    let signer: WebhookSigner
    /// Nil: events are planned but never sent (no target configured).
    let receiver: Boxoffice_Provider_V1_WebhookReceiver.Client?
    /// Attempts in flight at once.
    let maxConcurrentAttempts: Int
    /// How long one attempt may take before it counts as failed.
    let attemptTimeout: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    let work = ledger.claimDueWork(limit: maxConcurrentAttempts, deliver: receiver != nil)
                    if let receiver {
                        for delivery in work.deliveries {
                            group.addTask { await attempt(delivery, receiver: receiver) }
                        }
                    }
                    let wakeAt = work.nextLook.map { ContinuousClock.now + .seconds(max(0, $0.timeIntervalSinceNow)) }
                    await ledger.changes.wait(until: wakeAt)
                }
            }
        }
    }

    private func attempt(_ delivery: WebhookOutbox.Delivery, receiver: Boxoffice_Provider_V1_WebhookReceiver.Client) async {
        let payload = Boxoffice_Provider_V1_WebhookEvent(delivery.event).serializedBytes()
        let signed = signer.sign(delivery, payload: payload, at: Date())
        var message = Boxoffice_Provider_V1_WebhookDelivery()
        message.payload = signed.payload
        message.signature = signed.signature
        message.attempt = signed.attempt
        var acknowledged = false
        do {
            let ack = try await receiver.deliver(message, options: CallOptions(timeout: attemptTimeout))
            acknowledged = ack.accepted
            if !acknowledged {
                logger.info("webhook refused", metadata: [
                    "webhook.event_id": "\(delivery.event.id)", "webhook.attempt": "\(delivery.attempt)",
                    "webhook.detail": "\(ack.detail)"])
            }
        } catch {
            logger.debug("webhook attempt failed", metadata: [
                "webhook.event_id": "\(delivery.event.id)", "webhook.attempt": "\(delivery.attempt)", "error": "\(error)"])
        }
        Counter(label: "provider_sim_webhook_attempts_total",
                dimensions: [("result", acknowledged ? "acknowledged" : "failed")]).increment()
        ledger.finishAttempt(delivery.id, acknowledged: acknowledged)
    }
}
