public import Foundation
public import BoxOfficeRedis
public import BoxOfficeRPC

/// Per-user token buckets in Redis, shared by every booking instance: each call spends a token;
/// a user without one is refused with the time until the next.
///
/// One Lua script per check, atomic per bucket. Buckets are keyed `prefix{rl:USER}:SCOPE`, so
/// every bucket of one user lives in one cluster slot, and expire once full again. The service
/// passes `now`, so tests drive a fake clock. Thread-safe.
public final class UserRateLimiter: Sendable {
    /// A bucket's shape.
    public struct Bucket: Sendable, Hashable {
        /// The most tokens a user can save up (the burst).
        public var capacity: Double
        /// Tokens added a second.
        public var refillPerSecond: Double

        /// Creates a bucket shape; both values must be positive.
        public init(capacity: Double, refillPerSecond: Double) {
            self.capacity = capacity
            self.refillPerSecond = refillPerSecond
        }
    }

    private let redis: any RedisCommandSender
    private let keyPrefix: String
    /// The bucket every scope uses unless ``init(redis:keyPrefix:bucket:scopes:)`` names one.
    public let bucket: Bucket
    private let scopes: [String: Bucket]

    static let script = RedisScript(TokenBucketScript.source)

    /// Creates a limiter.
    ///
    /// - Parameters:
    ///   - keyPrefix: Prepended to every key; tests use a fresh one each.
    ///   - bucket: The default bucket, e.g. 10 tokens refilled at 2 a second.
    ///   - scopes: Buckets of their own for some scopes (e.g. `"hold"` stricter than `"status"`).
    public init(redis: any RedisCommandSender, keyPrefix: String = "boxoffice:booking:",
                bucket: Bucket = Bucket(capacity: 10, refillPerSecond: 2), scopes: [String: Bucket] = [:]) {
        precondition(bucket.capacity > 0 && bucket.refillPerSecond > 0, "a rate-limit bucket needs positive capacity and refill")
        precondition(scopes.values.allSatisfy { $0.capacity > 0 && $0.refillPerSecond > 0 },
                     "a rate-limit bucket needs positive capacity and refill")
        self.redis = redis
        self.keyPrefix = keyPrefix
        self.bucket = bucket
        self.scopes = scopes
    }

    /// Spends `cost` tokens of `userID`'s bucket for `scope` at `now`, or says how long to wait.
    ///
    /// - Throws: `RPCError` UNAVAILABLE when Redis cannot answer (the caller decides whether to
    ///   fail open); INVALID_ARGUMENT for an empty user id or a cost outside (0, capacity].
    public func check(userID: String, scope: String = "default", cost: Double = 1, now: Date) async throws(RPCError) -> RateLimitDecision {
        guard !userID.isEmpty else { throw RPCError(code: .invalidArgument, message: "user_id is required") }
        let bucket = scopes[scope] ?? self.bucket
        guard cost > 0, cost <= bucket.capacity else {
            throw RPCError(code: .invalidArgument, message: "rate-limit cost \(cost) must lie in (0, \(bucket.capacity)]")
        }
        let reply: RESPValue
        do {
            reply = try await redis.evalScript(Self.script, keys: [key(userID: userID, scope: scope)], arguments: [
                bucket.capacity, bucket.refillPerSecond, Int64((now.timeIntervalSince1970 * 1_000).rounded()), cost,
            ])
        } catch {
            throw RPCError(code: .unavailable, message: "rate limiter unavailable: \(error)", cause: error)
        }
        guard let values = reply.array, values.count == 2, let allowed = values[0].integer, let amount = values[1].integer else {
            throw RPCError(code: .unavailable, message: "rate limiter answered \(reply)")
        }
        return allowed == 1 ? .allowed(remaining: Double(amount) / 1_000) : .refused(retryAfter: .milliseconds(max(1, amount)))
    }

    /// Like ``check(userID:scope:cost:now:)``, but throws the RESOURCE_EXHAUSTED error to answer
    /// with when refused.
    public func enforce(userID: String, scope: String = "default", cost: Double = 1, now: Date) async throws(RPCError) {
        if case .refused(let retryAfter) = try await check(userID: userID, scope: scope, cost: cost, now: now) {
            throw RPCError.rateLimited(retryAfter: retryAfter, what: "user \(userID)")
        }
    }

    func key(userID: String, scope: String) -> String {
        "\(keyPrefix){rl:\(Self.escape(userID))}:\(scope)"
    }

    /// Braces would move the hash tag, so they (and the escape character) are percent-encoded.
    static func escape(_ userID: String) -> String {
        userID.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "{", with: "%7B")
            .replacingOccurrences(of: "}", with: "%7D")
    }
}

/// The answer of a rate-limit check.
public enum RateLimitDecision: Sendable, Hashable {
    /// Go ahead; `remaining` tokens are left.
    case allowed(remaining: Double)
    /// Refused; a token will be there after `retryAfter`.
    case refused(retryAfter: Duration)
}
