public import BoxOfficeProto

/// What an interceptor sees of a call before it starts, and may change.
public struct ClientInterceptorContext: Sendable {
    /// The method being called.
    public let descriptor: MethodDescriptor
    /// Request metadata; interceptors may add to it (auth tokens, request ids).
    public var metadata: Metadata
    /// The call's options; interceptors may tighten the deadline.
    public var options: CallOptions
}

/// Code that runs around every call a ``GRPCClient`` makes: it may change the request metadata
/// and options, observe the outcome (the thrown ``RPCError`` or success) and time the call.
///
/// `next` runs the rest of the chain and the call itself, including the caller's handling of
/// the response, so what an interceptor measures covers the whole call.
public protocol ClientInterceptor: Sendable {
    /// Runs around one call; must call `next` at most once.
    func intercept<Result: Sendable>(
        context: ClientInterceptorContext,
        next: (ClientInterceptorContext) async throws -> Result
    ) async throws -> Result
}
