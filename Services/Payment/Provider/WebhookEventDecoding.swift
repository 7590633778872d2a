public import BoxOfficeAPI
import BoxOfficeProto
import Foundation

extension ProviderWebhookEvent {
    /// Decodes a verified delivery's payload (a serialized `boxoffice.provider.v1.WebhookEvent`).
    ///
    /// - Throws: ``PaymentError`` `invalidArgument` saying what is wrong: undecodable bytes, no
    ///   event id, an unknown event type, or data that does not match the type.
    public init(payload: [UInt8]) throws(PaymentError) {
        let event: Boxoffice_Provider_V1_WebhookEvent
        do {
            event = try Boxoffice_Provider_V1_WebhookEvent(serializedBytes: payload)
        } catch {
            throw PaymentError(.invalidArgument, "the webhook payload is not a boxoffice.provider.v1.WebhookEvent: \(error)")
        }
        try self.init(event)
    }

    /// Maps a decoded provider event onto the payment service's view of it.
    public init(_ event: Boxoffice_Provider_V1_WebhookEvent) throws(PaymentError) {
        guard !event.id.isEmpty else { throw PaymentError(.invalidArgument, "the webhook event has no id") }
        let body: Body
        switch (event.type, event.data) {
        case (.chargeSucceeded, .charge(let charge)?):
            body = .chargeSucceeded(chargeID: charge.id, idempotencyKey: charge.idempotencyKey)
        case (.chargeFailed, .charge(let charge)?):
            body = .chargeFailed(chargeID: charge.id, idempotencyKey: charge.idempotencyKey,
                                 code: charge.failureCode, message: charge.failureMessage)
        case (.chargeRefunded, .refund(let refund)?):
            body = .chargeRefunded(ProviderRefund(refundID: refund.id, chargeID: refund.chargeID, amount: refund.amount,
                                                  reason: refund.reason))
        default:
            throw PaymentError(.invalidArgument,
                "webhook event \(event.id) has type \(event.type.protoName ?? "\(event.type.rawValue)") with data that does not fit it")
        }
        guard case .chargeRefunded(let refund) = body else {
            self.init(id: event.id, createdAt: event.createdAt?.date ?? Date(timeIntervalSince1970: 0),
                      sequence: event.sequence, body: body)
            return
        }
        guard !refund.refundID.isEmpty, !refund.chargeID.isEmpty, refund.amount > 0 else {
            throw PaymentError(.invalidArgument, "webhook event \(event.id) carries a refund without id, charge or a positive amount")
        }
        self.init(id: event.id, createdAt: event.createdAt?.date ?? Date(timeIntervalSince1970: 0),
                  sequence: event.sequence, body: body)
    }
}
