/// A Refund request.
public struct RefundCommand: Sendable, Hashable {
    /// The booking this belongs to.
    public var bookingID: String
    /// Minor units; nil refunds everything still refundable.
    public var amountMinor: Int64?
    /// Why, in free text.
    public var reason: String
    /// A retry with the same key returns the same refund. Empty means "the full refund of this
    /// payment", which is idempotent by itself.
    public var idempotencyKey: String

    /// Creates a value from its fields.
    public init(bookingID: String, amountMinor: Int64? = nil, reason: String, idempotencyKey: String) {
        self.bookingID = bookingID
        self.amountMinor = amountMinor
        self.reason = reason
        self.idempotencyKey = idempotencyKey
    }
}

/// What the service does with a Refund, decided without I/O.
public enum RefundDecision: Sendable, Hashable {
    /// Make this provider call and apply its answer as ``PaymentEvent/refundAnswered(_:)``.
    case callProvider(ProviderRefundCall)
    /// Already done: answer with the payment.
    case answer(Payment)
    /// Answer with this error; nothing changes.
    case reject(PaymentError)

    /// Decides a Refund: only a captured payment, never more than captured minus refunded.
    public init(_ command: RefundCommand, payment: Payment?) {
        guard !command.bookingID.isEmpty else {
            self = .reject(PaymentError(.invalidArgument, "booking_id is empty; say which booking's payment to refund"))
            return
        }
        guard let payment else {
            self = .reject(PaymentError(.notFound, "no payment for booking \(command.bookingID)"))
            return
        }
        let key = command.idempotencyKey.isEmpty ? "\(payment.id)-full-refund" : command.idempotencyKey
        if let done = payment.refunds.first(where: { $0.idempotencyKey == key }) {
            if let asked = command.amountMinor, asked != done.amount.amountMinor {
                self = .reject(PaymentError(.invalidArgument,
                    "idempotency key \"\(key)\" was used for a refund of \(done.amount); this request asks \(Money(amountMinor: asked, currency: payment.amount.currency))"))
            } else {
                self = .answer(payment)
            }
            return
        }
        switch payment.status {
        case .captured:
            break
        case .refunded where command.amountMinor == nil:
            // "Refund what is left" of a fully refunded payment: already done, whoever did it.
            self = .answer(payment)
            return
        case .pending, .declined, .notCharged, .refunded:
            self = .reject(PaymentError(.failedPrecondition,
                "the payment for booking \(command.bookingID) is \(payment.status.rawValue); only a CAPTURED payment can be refunded"))
            return
        }
        guard let chargeID = payment.providerChargeID else {
            self = .reject(PaymentError(.failedPrecondition, "the payment for booking \(command.bookingID) has no provider charge"))
            return
        }
        let left = payment.refundableAmount
        let amount = command.amountMinor ?? left
        guard amount > 0 else {
            self = .reject(PaymentError(.invalidArgument,
                "refund amount must be positive, got \(Money(amountMinor: amount, currency: payment.amount.currency))"))
            return
        }
        guard amount <= left else {
            self = .reject(PaymentError(.failedPrecondition,
                "a refund of \(Money(amountMinor: amount, currency: payment.amount.currency)) exceeds the \(Money(amountMinor: left, currency: payment.amount.currency)) still refundable for booking \(command.bookingID)"))
            return
        }
        self = .callProvider(ProviderRefundCall(chargeID: chargeID, amount: amount, idempotencyKey: key, reason: command.reason))
    }
}
