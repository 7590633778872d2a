/// Why a payment request was refused; nothing was changed. Each code maps onto one gRPC status.
public struct PaymentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class of refusal, named after the gRPC status the service answers with.
    public enum Code: String, Sendable, Hashable {
        /// Bad input, or a booking already charged with another amount.
        case invalidArgument
        /// A charge for the booking is still in flight (Stripe's 409): retry later.
        case aborted
        /// No payment (or charge) with that id.
        case notFound
        /// The payment's state forbids the request, e.g. refunding a declined payment.
        case failedPrecondition
        /// The caller's deadline leaves too little time for a provider call.
        case deadlineExceeded
        /// A webhook whose signature is missing, wrong, or outside the replay window.
        case unauthenticated
        /// The provider (or the database) could not be reached; retry later.
        case unavailable
    }

    /// The class of failure.
    public var code: Code
    /// What was wrong, in words a caller can act on.
    public var message: String

    /// An error of class `code` saying `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// For logs and messages.
    public var description: String { "\(code): \(message)" }
}
