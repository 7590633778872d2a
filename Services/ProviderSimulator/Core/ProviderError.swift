/// An error the simulator answers a request with; each code maps onto one gRPC status.
public struct ProviderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class of failure, mapped 1:1 onto gRPC status codes by the server.
    public enum Code: String, Sendable, Hashable {
        /// Bad request fields, or an idempotency key reused with other parameters (INVALID_ARGUMENT).
        case invalidArgument
        /// No charge or refund with that id or key (NOT_FOUND).
        case notFound
        /// A request with the same idempotency key is still being processed (ABORTED, Stripe's 409).
        case conflict
        /// The request is valid but the charge's state forbids it, e.g. refunding a failed charge
        /// (FAILED_PRECONDITION).
        case failedPrecondition
        /// A simulated outage: nothing was recorded, retrying is safe (UNAVAILABLE).
        case unavailable
    }

    /// The class of failure.
    public var code: Code
    /// What was wrong, for the caller's logs.
    public var message: String

    /// An error of class `code` saying `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// For logs and messages.
    public var description: String { "\(code): \(message)" }
}
