public import Foundation

/// A charge in the simulator's ledger; maps 1:1 onto `boxoffice.provider.v1.Charge`.
public struct Charge: Sendable, Hashable, Codable, Identifiable {
    /// `ch_…`, unique in the ledger.
    public var id: String
    /// The key a retry is recognised by.
    public var idempotencyKey: String
    /// Minor units.
    public var amount: Int64
    /// ISO 4217 code, upper case.
    public var currency: String
    /// Where it stands.
    public var status: ChargeStatus
    /// The provider's payment token (a test token with the simulator).
    public var paymentToken: String
    /// Why the charge failed; nil unless `status` is `.failed`.
    public var failureCode: FailureCode?
    /// Free-form keys and values sent to the provider.
    public var metadata: [String: String]
    /// When it was created.
    public var createdAt: Date
    /// Minor units refunded so far; never above `amount`.
    public var amountRefunded: Int64

    /// `failure_message` on the wire: empty unless the charge failed.
    public var failureMessage: String { failureCode?.message ?? "" }

    /// Minor units that may still be refunded (zero unless the charge succeeded).
    public var refundableAmount: Int64 { status == .succeeded ? amount - amountRefunded : 0 }

    /// Creates a value from its fields.
    public init(
        id: String, idempotencyKey: String, amount: Int64, currency: String, status: ChargeStatus,
        paymentToken: String, failureCode: FailureCode? = nil, metadata: [String: String] = [:],
        createdAt: Date, amountRefunded: Int64 = 0
    ) {
        self.id = id
        self.idempotencyKey = idempotencyKey
        self.amount = amount
        self.currency = currency
        self.status = status
        self.paymentToken = paymentToken
        self.failureCode = failureCode
        self.metadata = metadata
        self.createdAt = createdAt
        self.amountRefunded = amountRefunded
    }
}

/// The state of a charge; `processing` is sent as `CHARGE_STATUS_UNSPECIFIED`.
public enum ChargeStatus: String, Sendable, Hashable, Codable {
    /// Recorded, the answer is not ready yet: ask again later.
    case processing
    case succeeded
    case failed
}

/// A refund of (part of) a succeeded charge; maps 1:1 onto `boxoffice.provider.v1.Refund`.
public struct Refund: Sendable, Hashable, Codable, Identifiable {
    /// `re_…`, unique in the ledger.
    public var id: String
    /// The provider charge it belongs to.
    public var chargeID: String
    /// Minor units, always positive.
    public var amount: Int64
    /// ISO 4217 code, upper case.
    public var currency: String
    /// The simulator only records refunds that succeed.
    public var status: RefundStatus
    /// Why, in free text.
    public var reason: String
    /// When it was created.
    public var createdAt: Date

    /// Creates a value from its fields.
    public init(
        id: String, chargeID: String, amount: Int64, currency: String, status: RefundStatus = .succeeded,
        reason: String, createdAt: Date
    ) {
        self.id = id
        self.chargeID = chargeID
        self.amount = amount
        self.currency = currency
        self.status = status
        self.reason = reason
        self.createdAt = createdAt
    }
}

/// The state of a refund.
public enum RefundStatus: String, Sendable, Hashable, Codable {
    case succeeded
    case failed
}

/// CreateCharge's parameters; two requests with one idempotency key must be equal.
public struct CreateChargeRequest: Sendable, Hashable, Codable {
    /// The key a retry is recognised by.
    public var idempotencyKey: String
    /// Minor units, positive.
    public var amount: Int64
    /// ISO 4217 code, upper case.
    public var currency: String
    /// A test token (see ``TestToken``).
    public var paymentToken: String
    /// Free-form keys and values sent to the provider.
    public var metadata: [String: String]
    /// Free text describing the charge (statement descriptor).
    public var description: String

    /// Creates a value from its fields.
    public init(
        idempotencyKey: String, amount: Int64, currency: String, paymentToken: String,
        metadata: [String: String] = [:], description: String = ""
    ) {
        self.idempotencyKey = idempotencyKey
        self.amount = amount
        self.currency = currency
        self.paymentToken = paymentToken
        self.metadata = metadata
        self.description = description
    }
}

/// CreateRefund's parameters.
public struct CreateRefundRequest: Sendable, Hashable, Codable {
    /// The provider charge it belongs to.
    public var chargeID: String
    /// Minor units; 0 refunds what is left of the charge.
    public var amount: Int64
    /// Required: a retry with the same key returns the same refund.
    public var idempotencyKey: String
    /// Why, in free text.
    public var reason: String

    /// Creates a value from its fields.
    public init(chargeID: String, amount: Int64 = 0, idempotencyKey: String, reason: String = "") {
        self.chargeID = chargeID
        self.amount = amount
        self.idempotencyKey = idempotencyKey
        self.reason = reason
    }
}

/// GetCharge's lookup: the `oneof lookup` of `GetChargeRequest`.
public enum ChargeLookup: Sendable, Hashable {
    case chargeID(String)
    case idempotencyKey(String)
}
