public import Foundation

/// A Charge request, validated into domain types by ``ChargeCommand/validated(bookingID:amountMinor:currencyCode:paymentToken:deadline:metadata:)``.
public struct ChargeCommand: Sendable, Hashable {
    /// The booking this belongs to.
    public var bookingID: String
    /// The amount to charge.
    public var amount: Money
    /// The provider's payment token (a test token with the simulator).
    public var paymentToken: String
    /// No provider call starts that cannot finish before this instant.
    public var deadline: Date
    /// Free-form keys and values sent to the provider.
    public var metadata: [String: String]

    /// Creates a value from its fields.
    public init(bookingID: String, amount: Money, paymentToken: String, deadline: Date, metadata: [String: String] = [:]) {
        self.bookingID = bookingID
        self.amount = amount
        self.paymentToken = paymentToken
        self.deadline = deadline
        self.metadata = metadata
    }

    /// Checks a Charge request's raw fields; the error says which field is wrong and why.
    public static func validated(
        bookingID: String, amountMinor: Int64, currencyCode: String, paymentToken: String, deadline: Date?,
        metadata: [String: String] = [:]
    ) throws(PaymentError) -> ChargeCommand {
        guard !bookingID.isEmpty else {
            throw PaymentError(.invalidArgument, "booking_id is empty; a charge must name its booking")
        }
        guard amountMinor > 0 else {
            throw PaymentError(.invalidArgument,
                "amount.amount_minor must be positive, got \(amountMinor); a charge takes money, refunds use Refund")
        }
        let currency = try validatedCurrency(currencyCode)
        guard !paymentToken.isEmpty else {
            throw PaymentError(.invalidArgument, "payment_token is empty")
        }
        guard let deadline else {
            throw PaymentError(.invalidArgument, "deadline is missing; a charge must say when it must be decided by")
        }
        return ChargeCommand(bookingID: bookingID, amount: Money(amountMinor: amountMinor, currency: currency),
                             paymentToken: paymentToken, deadline: deadline, metadata: metadata)
    }

    /// The accepted currency for `code`, or an error naming the code and what is accepted.
    public static func validatedCurrency(_ code: String) throws(PaymentError) -> Currency {
        if let currency = Currency(code: code) { return currency }
        if code.isEmpty {
            throw PaymentError(.invalidArgument, "amount.currency is empty; give an ISO 4217 code such as \"USD\"")
        }
        if Currency(code: code.uppercased()) != nil {
            throw PaymentError(.invalidArgument, "amount.currency \"\(code)\" must be upper case: \"\(code.uppercased())\"")
        }
        throw PaymentError(.invalidArgument,
            "amount.currency \"\(code)\" is not a currency this service accepts (ISO 4217 codes such as USD, EUR, GBP, JPY)")
    }
}

/// What the service does with a Charge, decided without I/O.
public enum ChargeDecision: Sendable, Hashable {
    /// Insert this new PENDING payment (unique by booking), then make this provider call and apply
    /// its answer, or ``PaymentEvent/chargeUnanswered`` after `call.timeout`.
    case callProvider(Payment, ProviderChargeCall)
    /// Answer with the existing payment (an idempotent retry).
    case answer(Payment)
    /// Answer with this error; nothing changes.
    case reject(PaymentError)

    /// Decides a validated Charge against the booking's existing payment, if any.
    ///
    /// - Same booking, same amount: the existing payment, unless its provider call is still in flight
    ///   (`aborted`: retry later). Same booking, other amount: `invalidArgument`.
    /// - New booking: a provider call only if it can finish before `command.deadline`
    ///   (`deadlineExceeded` otherwise); `newPaymentID` names the payment it creates.
    public init(
        _ command: ChargeCommand, existing: Payment?, newPaymentID: String, at now: Date, policy: PaymentPolicy
    ) {
        if let existing {
            guard existing.amount == command.amount else {
                self = .reject(PaymentError(.invalidArgument,
                    "booking \(command.bookingID) is already being charged \(existing.amount); this request asks \(command.amount)"))
                return
            }
            guard !existing.isProviderCallInFlight(at: now) else {
                self = .reject(PaymentError(.aborted,
                    "a charge for booking \(command.bookingID) is still in flight; retry after it answers"))
                return
            }
            self = .answer(existing)
            return
        }
        let callDeadline = now.adding(policy.providerTimeout)
        guard callDeadline <= command.deadline else {
            let left = max(0, command.deadline.timeIntervalSince(now))
            self = .reject(PaymentError(.deadlineExceeded,
                "the deadline leaves \(Int(left)) s but a provider call may take \(Int(policy.providerTimeout.timeInterval)) s; nothing was charged"))
            return
        }
        let payment = Payment(
            id: newPaymentID, bookingID: command.bookingID, amount: command.amount, status: .pending,
            paymentToken: command.paymentToken, metadata: command.metadata, attempts: 1,
            deadline: command.deadline, createdAt: now, providerCallDeadline: callDeadline)
        var metadata = command.metadata
        metadata["booking_id"] = command.bookingID
        metadata["payment_id"] = newPaymentID
        let call = ProviderChargeCall(
            idempotencyKey: payment.providerIdempotencyKey, amount: command.amount,
            paymentToken: command.paymentToken, metadata: metadata, timeout: policy.providerTimeout)
        self = .callProvider(payment, call)
    }
}
