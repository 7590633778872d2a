public import Foundation

/// One booking's payment: the row of the `payments` table and `boxoffice.payment.v1.Payment`.
///
/// Changed only through ``apply(_:at:policy:)``, which keeps every transition forward-only and
/// bumps ``version`` (stores write with an optimistic version check).
public struct Payment: Sendable, Hashable, Codable, Identifiable {
    /// Unique identifier.
    public var id: String
    /// The idempotency key of Charge: one payment per booking.
    public var bookingID: String
    /// The amount charged.
    public var amount: Money
    /// Where it stands.
    public var status: PaymentStatus
    /// The token the charge was made with (kept for the provider idempotency comparison).
    public var paymentToken: String
    /// Sent to the provider with the charge.
    public var metadata: [String: String]
    /// The provider's charge id once known; nil while the provider has not answered.
    public var providerChargeID: String?
    /// Provider calls made for this payment: the charge call plus each reconciler check.
    public var attempts: Int
    /// The provider's failure code when DECLINED or NOT_CHARGED after a failed charge; empty otherwise.
    public var declineCode: String
    /// The provider's failure message; empty unless the charge failed.
    public var declineMessage: String
    /// The payment must be decided before this instant (the booking's hold window).
    public var deadline: Date
    /// When it was created.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// Refunds recorded so far, oldest first.
    public var refunds: [RefundRecord]
    /// While set and in the future, the charge call is in flight: a retry is ABORTED and the
    /// reconciler waits. Cleared when the call answers or times out.
    public var providerCallDeadline: Date?
    /// When the reconciler next asks the provider; nil when nothing is scheduled.
    public var nextCheckAt: Date?
    /// Reconciler checks that did not resolve the payment.
    public var unresolvedChecks: Int
    /// When the overdue alert was raised; an alert is raised once.
    public var overdueAlertAt: Date?
    /// Optimistic-concurrency version, bumped by every change.
    public var version: Int

    /// The idempotency key the provider knows this payment's charge by.
    public var providerIdempotencyKey: String { ProviderChargeCall.idempotencyKey(forBooking: bookingID) }

    /// Minor units refunded so far.
    public var refundedAmount: Int64 { refunds.reduce(0) { $0 + $1.amount.amountMinor } }

    /// Minor units captured: the whole amount once the charge succeeded, else zero.
    public var capturedAmount: Int64 {
        switch status {
        case .captured, .refunded: amount.amountMinor
        case .pending, .declined, .notCharged: 0
        }
    }

    /// Minor units that may still be refunded.
    public var refundableAmount: Int64 { capturedAmount - refundedAmount }

    /// True while the charge call is in flight at `now`.
    public func isProviderCallInFlight(at now: Date) -> Bool {
        guard let providerCallDeadline else { return false }
        return now < providerCallDeadline
    }

    /// Creates a value from its fields.
    public init(
        id: String, bookingID: String, amount: Money, status: PaymentStatus, paymentToken: String,
        metadata: [String: String] = [:], providerChargeID: String? = nil, attempts: Int = 0,
        declineCode: String = "", declineMessage: String = "", deadline: Date, createdAt: Date,
        updatedAt: Date? = nil, refunds: [RefundRecord] = [], providerCallDeadline: Date? = nil,
        nextCheckAt: Date? = nil, unresolvedChecks: Int = 0, overdueAlertAt: Date? = nil, version: Int = 1
    ) {
        self.id = id
        self.bookingID = bookingID
        self.amount = amount
        self.status = status
        self.paymentToken = paymentToken
        self.metadata = metadata
        self.providerChargeID = providerChargeID
        self.attempts = attempts
        self.declineCode = declineCode
        self.declineMessage = declineMessage
        self.deadline = deadline
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.refunds = refunds
        self.providerCallDeadline = providerCallDeadline
        self.nextCheckAt = nextCheckAt
        self.unresolvedChecks = unresolvedChecks
        self.overdueAlertAt = overdueAlertAt
        self.version = version
    }
}

/// A refund of (part of) a captured payment; maps onto `boxoffice.payment.v1.RefundRecord`.
public struct RefundRecord: Sendable, Hashable, Codable, Identifiable {
    /// Unique identifier.
    public var id: String
    /// The provider's refund id.
    public var providerRefundID: String
    /// The amount refunded.
    public var amount: Money
    /// Why, in free text.
    public var reason: String
    /// The key the refund was requested with; empty when it was learnt from a webhook first.
    public var idempotencyKey: String
    /// When it was created.
    public var createdAt: Date

    /// Creates a value from its fields.
    public init(
        id: String, providerRefundID: String, amount: Money, reason: String, idempotencyKey: String,
        createdAt: Date
    ) {
        self.id = id
        self.providerRefundID = providerRefundID
        self.amount = amount
        self.reason = reason
        self.idempotencyKey = idempotencyKey
        self.createdAt = createdAt
    }
}
