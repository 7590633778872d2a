/// Adds credentials to every call: `authorization: Bearer <token>` from a token provider that is
/// asked once per call (so it may refresh or cache as it sees fit).
public struct ClientAuthInterceptor: ClientInterceptor {
    private let token: @Sendable () async throws -> String

    /// Creates the interceptor. A provider that throws fails the call with UNAUTHENTICATED
    /// before anything is sent.
    public init(token: @escaping @Sendable () async throws -> String) {
        self.token = token
    }

    public func intercept<Result: Sendable>(
        context: ClientInterceptorContext,
        next: (ClientInterceptorContext) async throws -> Result
    ) async throws -> Result {
        let value: String
        do {
            value = try await token()
        } catch {
            throw RPCError(code: .unauthenticated, message: "no credentials for the call: \(error)", cause: error)
        }
        var context = context
        context.metadata.replaceOrAddString("Bearer \(value)", forKey: "authorization")
        return try await next(context)
    }
}
