/// Code that runs around every handler: logging, metrics, authentication, …
///
/// Interceptors run in registration order (the first is outermost). An interceptor may change
/// the context it passes on, throw an ``RPCError`` to end the call without running the handler,
/// or observe the outcome: `next` returns when the handler succeeded and throws its error
/// otherwise.
public protocol ServerInterceptor: Sendable {
    /// Runs around the rest of the chain.
    func intercept<Result: Sendable>(
        context: ServerContext,
        next: @Sendable (ServerContext) async throws -> Result
    ) async throws -> Result
}

extension ServerInterceptor {
    /// The status a thrown error is sent as: its own for ``RPCError``, CANCELLED for
    /// cancellation, UNKNOWN otherwise.
    public static func status(for error: any Error) -> Status {
        ServerCallRunner.status(for: error)
    }
}
