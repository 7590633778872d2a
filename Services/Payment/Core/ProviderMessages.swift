public import Foundation

/// A CreateCharge the payment service sends to the provider.
public struct ProviderChargeCall: Sendable, Hashable {
    /// Derived from the booking, so a retry after a crash reaches the same provider charge.
    public var idempotencyKey: String
    /// The amount to charge.
    public var amount: Money
    /// The provider's payment token (a test token with the simulator).
    public var paymentToken: String
    /// Free-form keys and values sent to the provider.
    public var metadata: [String: String]
    /// Give up waiting after this long; the payment then stays PENDING.
    public var timeout: Duration

    /// Creates a value from its fields.
    public init(idempotencyKey: String, amount: Money, paymentToken: String, metadata: [String: String], timeout: Duration) {
        self.idempotencyKey = idempotencyKey
        self.amount = amount
        self.paymentToken = paymentToken
        self.metadata = metadata
        self.timeout = timeout
    }

    /// The provider idempotency key of a booking's charge.
    public static func idempotencyKey(forBooking bookingID: String) -> String {
        keyPrefix + bookingID
    }

    /// The booking a provider idempotency key belongs to; nil when the key is not one of ours.
    public static func bookingID(fromIdempotencyKey key: String) -> String? {
        guard key.hasPrefix(keyPrefix), key.count > keyPrefix.count else { return nil }
        return String(key.dropFirst(keyPrefix.count))
    }

    private static let keyPrefix = "boxoffice-booking-"
}

/// A final answer about a charge, from CreateCharge, GetCharge or a webhook.
public enum ProviderChargeResult: Sendable, Hashable {
    /// The card was charged.
    case succeeded(chargeID: String)
    /// Nothing was charged; `code` is the provider's failure code.
    case failed(chargeID: String?, code: String, message: String)
}

/// The reconciler's GetCharge (by idempotency key) answer.
public enum ProviderLookup: Sendable, Hashable {
    /// The charge is finished.
    case found(ProviderChargeResult)
    /// The provider has the charge but not its outcome yet.
    case processing
    /// The provider never recorded a charge with that key: it was not charged.
    case notFound
    /// The provider could not be asked (timeout, outage): try again later.
    case unavailable
}

/// A CreateRefund the payment service sends to the provider.
public struct ProviderRefundCall: Sendable, Hashable {
    /// The provider charge it belongs to.
    public var chargeID: String
    /// Minor units, positive.
    public var amount: Int64
    /// The key a retry is recognised by.
    public var idempotencyKey: String
    /// Why, in free text.
    public var reason: String

    /// Creates a value from its fields.
    public init(chargeID: String, amount: Int64, idempotencyKey: String, reason: String) {
        self.chargeID = chargeID
        self.amount = amount
        self.idempotencyKey = idempotencyKey
        self.reason = reason
    }
}

/// A refund the provider made.
public struct ProviderRefund: Sendable, Hashable {
    /// The provider's refund id.
    public var refundID: String
    /// The provider charge it belongs to.
    public var chargeID: String
    /// Minor units.
    public var amount: Int64
    /// Why, in free text.
    public var reason: String
    /// Our key when we asked for the refund; empty when learnt from a webhook.
    public var idempotencyKey: String

    /// Creates a value from its fields.
    public init(refundID: String, chargeID: String, amount: Int64, reason: String, idempotencyKey: String = "") {
        self.refundID = refundID
        self.chargeID = chargeID
        self.amount = amount
        self.reason = reason
        self.idempotencyKey = idempotencyKey
    }
}

/// A verified, decoded webhook event from the provider (`boxoffice.provider.v1.WebhookEvent`).
public struct ProviderWebhookEvent: Sendable, Hashable {
    /// What the event says.
    public enum Body: Sendable, Hashable {
        case chargeSucceeded(chargeID: String, idempotencyKey: String)
        case chargeFailed(chargeID: String, idempotencyKey: String, code: String, message: String)
        case chargeRefunded(ProviderRefund)
    }

    /// Applied at most once per id.
    public var id: String
    /// When it was created.
    public var createdAt: Date
    /// Per-charge order at the provider (informational: the state machine does not need it).
    public var sequence: Int64
    /// What the event says.
    public var body: Body

    /// Creates a value from its fields.
    public init(id: String, createdAt: Date, sequence: Int64, body: Body) {
        self.id = id
        self.createdAt = createdAt
        self.sequence = sequence
        self.body = body
    }

    /// How to find the payment the event is about: a charge event by the booking in its idempotency
    /// key (the charge id may not be known yet), a refund by the charge id.
    public var paymentLookup: PaymentLookup? {
        switch body {
        case .chargeSucceeded(_, let key), .chargeFailed(_, let key, _, _):
            ProviderChargeCall.bookingID(fromIdempotencyKey: key).map(PaymentLookup.bookingID)
        case .chargeRefunded(let refund):
            .providerChargeID(refund.chargeID)
        }
    }
}

/// Ways to find one payment.
public enum PaymentLookup: Sendable, Hashable {
    case paymentID(String)
    case bookingID(String)
    case providerChargeID(String)
}
