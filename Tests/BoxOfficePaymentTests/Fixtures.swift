import BoxOfficePayment
import BoxOfficeProviderSimulator
import Foundation

/// A fixed start instant, so every test is independent of the wall clock.
let t0 = Date(timeIntervalSince1970: 1_800_000_000)

extension Date {
    /// This instant plus `seconds`.
    func plus(_ seconds: Double) -> Date { addingTimeInterval(seconds) }
}

let usdCurrency = Currency(code: "USD")!

func usd(_ minor: Int64) -> Money { Money(amountMinor: minor, currency: usdCurrency) }

let defaultPolicy = PaymentPolicy()

/// A payment for booking `b-1` in `status`, with what that status implies (charge id, refunds).
func payment(
    _ status: PaymentStatus, amount: Int64 = 1000, booking: String = "b-1", createdAt: Date = t0,
    deadline: Date? = nil
) -> Payment {
    var payment = Payment(
        id: "pay-\(booking)", bookingID: booking, amount: usd(amount), status: status, paymentToken: "tok_approve",
        attempts: 1, deadline: deadline ?? createdAt.plus(600), createdAt: createdAt)
    switch status {
    case .pending:
        payment.providerCallDeadline = createdAt.plus(30)
    case .captured:
        payment.providerChargeID = "ch_1"
    case .declined:
        payment.declineCode = "card_declined"
        payment.declineMessage = "Your card was declined."
    case .notCharged:
        break
    case .refunded:
        payment.providerChargeID = "ch_1"
        payment.refunds = [RefundRecord(
            id: "pay-\(booking)-refund-1", providerRefundID: "re_full", amount: usd(amount), reason: "seats gone",
            idempotencyKey: "k-full", createdAt: createdAt)]
    }
    return payment
}

/// Maps the simulator's event onto the payment service's view of it, as the webhook receiver will
/// after decoding the protobuf payload.
func providerWebhookEvent(_ event: WebhookEvent) -> ProviderWebhookEvent {
    let body: ProviderWebhookEvent.Body
    switch (event.kind, event.payload) {
    case (.chargeSucceeded, .charge(let charge)):
        body = .chargeSucceeded(chargeID: charge.id, idempotencyKey: charge.idempotencyKey)
    case (.chargeFailed, .charge(let charge)):
        body = .chargeFailed(chargeID: charge.id, idempotencyKey: charge.idempotencyKey,
                             code: charge.failureCode?.rawValue ?? "", message: charge.failureMessage)
    case (_, .refund(let refund)):
        body = .chargeRefunded(ProviderRefund(refundID: refund.id, chargeID: refund.chargeID, amount: refund.amount, reason: refund.reason))
    case (.chargeRefunded, .charge(let charge)):
        body = .chargeSucceeded(chargeID: charge.id, idempotencyKey: charge.idempotencyKey)
    }
    return ProviderWebhookEvent(id: event.id, createdAt: event.createdAt, sequence: event.sequence, body: body)
}

/// The payment service's view of a simulator charge's outcome.
func chargeResult(_ charge: Charge) -> ProviderChargeResult? {
    switch charge.status {
    case .processing: nil
    case .succeeded: .succeeded(chargeID: charge.id)
    case .failed: .failed(chargeID: charge.id, code: charge.failureCode?.rawValue ?? "", message: charge.failureMessage)
    }
}

/// Rank of a status along the forward-only order, to check no transition goes back.
func rank(_ status: PaymentStatus) -> Int {
    switch status {
    case .pending: 0
    case .captured: 1
    case .declined, .notCharged, .refunded: 2
    }
}
