/// Rejects calls whose credentials (the `authorization` metadata) do not pass a check.
///
/// The check gets the `authorization` value (nil when absent) and the context; it returns the
/// authenticated principal, put into the context as `x-authenticated-principal` metadata for
/// handlers, or nil to reject the call with UNAUTHENTICATED. Paths in `exemptPaths` (health
/// checks, reflection) skip the check.
public struct AuthServerInterceptor: ServerInterceptor {
    /// Decides who the caller is; nil rejects.
    public typealias Check = @Sendable (_ authorization: String?, _ context: ServerContext) async throws -> String?

    private let check: Check
    private let exemptPaths: Set<String>

    /// Creates the interceptor.
    public init(exemptPaths: Set<String> = [], check: @escaping Check) {
        self.check = check
        self.exemptPaths = exemptPaths
    }

    /// An interceptor accepting exactly `Bearer <token>` for one of `tokens` (principal = token name).
    public static func bearerTokens(_ tokens: [String: String], exemptPaths: Set<String> = []) -> AuthServerInterceptor {
        AuthServerInterceptor(exemptPaths: exemptPaths) { authorization, _ in
            guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
            return tokens[String(authorization.dropFirst("Bearer ".count))]
        }
    }

    public func intercept<Result: Sendable>(
        context: ServerContext, next: @Sendable (ServerContext) async throws -> Result
    ) async throws -> Result {
        if exemptPaths.contains(context.path) { return try await next(context) }
        guard let principal = try await check(context.metadata.firstString(forKey: "authorization"), context) else {
            throw RPCError(code: .unauthenticated, message: "missing or invalid credentials")
        }
        var context = context
        context.metadata.replaceOrAddString(principal, forKey: "x-authenticated-principal")
        return try await next(context)
    }
}
