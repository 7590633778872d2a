public import BoxOfficeAPI
import BoxOfficeProto
import Foundation

/// Conversions between the payment domain and `boxoffice.payment.v1` / `boxoffice.common.v1` messages.
public enum PaymentWire {
    /// The wire form of an amount.
    public static func money(_ money: Money) -> Boxoffice_Common_V1_Money {
        var wire = Boxoffice_Common_V1_Money()
        wire.amountMinor = money.amountMinor
        wire.currency = money.currency.code
        return wire
    }

    /// The wire form of a status.
    public static func status(_ status: PaymentStatus) -> Boxoffice_Payment_V1_PaymentStatus {
        switch status {
        case .pending: .pending
        case .captured: .captured
        case .declined: .declined
        case .notCharged: .notCharged
        case .refunded: .refunded
        }
    }

    /// The wire form of a payment.
    public static func payment(_ payment: Payment) -> Boxoffice_Payment_V1_Payment {
        var wire = Boxoffice_Payment_V1_Payment()
        wire.id = payment.id
        wire.bookingID = payment.bookingID
        wire.amount = money(payment.amount)
        wire.status = status(payment.status)
        wire.providerChargeID = payment.providerChargeID ?? ""
        wire.attempts = Int32(clamping: payment.attempts)
        wire.declineCode = payment.declineCode
        wire.declineMessage = payment.declineMessage
        wire.deadline = Google_Protobuf_Timestamp(date: payment.deadline)
        wire.createdAt = Google_Protobuf_Timestamp(date: payment.createdAt)
        wire.updatedAt = Google_Protobuf_Timestamp(date: payment.updatedAt)
        wire.refunds = payment.refunds.map { refund in
            var record = Boxoffice_Payment_V1_RefundRecord()
            record.id = refund.id
            record.providerRefundID = refund.providerRefundID
            record.amount = money(refund.amount)
            record.reason = refund.reason
            record.createdAt = Google_Protobuf_Timestamp(date: refund.createdAt)
            return record
        }
        return wire
    }
}
