import BoxOfficeAPI
import BoxOfficeRPC
import Foundation
import Synchronization

/// One delivery the fake receiver got.
struct ReceivedWebhook: Sendable {
    var event: Boxoffice_Provider_V1_WebhookEvent
    var payload: [UInt8]
    var signature: String
    var attempt: Int32
    var accepted: Bool
    var receivedAt: ContinuousClock.Instant
}

/// A fake `WebhookReceiver` (the payment service's side) that records every delivery and refuses
/// the first attempts of each event as told.
final class WebhookRecorder: Boxoffice_Provider_V1_WebhookReceiver.SimpleServiceProtocol {
    /// How the receiver answers an attempt it refuses.
    enum Refusal: Sendable {
        /// `accepted: false` in the ack.
        case notAccepted
        /// The call fails UNAVAILABLE.
        case unavailable
    }

    private let received = Mutex<[ReceivedWebhook]>([])
    private let refuseAttemptsUpTo: Int32
    private let refusal: Refusal

    /// Refuses attempts 1...`refuseAttemptsUpTo` of every event (0: accepts all) with `refusal`.
    init(refuseAttemptsUpTo: Int32 = 0, refusal: Refusal = .notAccepted) {
        self.refuseAttemptsUpTo = refuseAttemptsUpTo
        self.refusal = refusal
    }

    func deliver(request: Boxoffice_Provider_V1_WebhookDelivery,
                 context: ServerContext) async throws -> Boxoffice_Provider_V1_WebhookAck {
        let event = try Boxoffice_Provider_V1_WebhookEvent(serializedBytes: request.payload)
        let accept = request.attempt > refuseAttemptsUpTo
        received.withLock {
            $0.append(ReceivedWebhook(event: event, payload: request.payload, signature: request.signature,
                                      attempt: request.attempt, accepted: accept, receivedAt: .now))
        }
        var ack = Boxoffice_Provider_V1_WebhookAck()
        ack.accepted = accept
        if !accept {
            if refusal == .unavailable { throw RPCError(code: .unavailable, message: "receiver refuses attempt \(request.attempt)") }
            ack.detail = "refused attempt \(request.attempt)"
        }
        return ack
    }

    /// Every delivery so far, in arrival order.
    var deliveries: [ReceivedWebhook] { received.withLock { $0 } }

    /// Deliveries of the events of `chargeID`, in arrival order.
    func deliveries(forCharge chargeID: String) -> [ReceivedWebhook] {
        deliveries.filter { delivery in
            switch delivery.event.data {
            case .charge(let charge)?: charge.id == chargeID
            case .refund(let refund)?: refund.chargeID == chargeID
            case nil: false
            }
        }
    }

    /// Waits (polling every 10 ms, at most `timeout`) until `condition` holds for the deliveries
    /// of `chargeID`; returns them either way.
    func waitForDeliveries(forCharge chargeID: String, timeout: Duration = .seconds(5),
                           until condition: ([ReceivedWebhook]) -> Bool) async throws -> [ReceivedWebhook] {
        let deadline = ContinuousClock.now + timeout
        var current = deliveries(forCharge: chargeID)
        while !condition(current) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            current = deliveries(forCharge: chargeID)
        }
        return current
    }
}
