import BoxOfficeBooking
import BoxOfficeRPC
import Foundation
import Testing

/// Per-user token buckets against the real Redis, on a fake clock.
@Suite struct UserRateLimiterLiveTests {
    @Test func aBurstUpToCapacityThenRefusalWithRetryAfter() async throws {
        try await RoomRedis.withClient { client, prefix in
            let limiter = UserRateLimiter(redis: client, keyPrefix: prefix, bucket: .init(capacity: 5, refillPerSecond: 2))
            let now = RoomClock.origin
            for expected in stride(from: 4.0, through: 0, by: -1) {
                expectDecision(try await limiter.check(userID: "alice", now: now), .allowed(remaining: expected))
            }
            expectDecision(try await limiter.check(userID: "alice", now: now), .refused(retryAfter: .milliseconds(500)))
            // A refusal spends nothing: 200 ms later the wait is 300 ms.
            expectDecision(try await limiter.check(userID: "alice", now: now.addingTimeInterval(0.2)), .refused(retryAfter: .milliseconds(300)))
        }
    }

    @Test func theBucketRefillsAtItsRateUpToCapacity() async throws {
        try await RoomRedis.withClient { client, prefix in
            let limiter = UserRateLimiter(redis: client, keyPrefix: prefix, bucket: .init(capacity: 4, refillPerSecond: 2))
            var now = RoomClock.origin
            for _ in 0..<4 { _ = try await limiter.check(userID: "alice", now: now) }
            now += 0.5
            expectDecision(try await limiter.check(userID: "alice", now: now), .allowed(remaining: 0))
            expectDecision(try await limiter.check(userID: "alice", now: now), .refused(retryAfter: .milliseconds(500)))
            now += 3_600
            expectDecision(try await limiter.check(userID: "alice", now: now), .allowed(remaining: 3), "refill stops at capacity")

            // Over 10 s of steady demand, allowed calls follow the refill rate.
            var allowed = 0
            for _ in 0..<100 {
                now += 0.1
                let decision = try await limiter.check(userID: "bob", now: now)
                if case .allowed = decision { allowed += 1 }
            }
            #expect(allowed == 4 + 20 - 1 || allowed == 4 + 20, "capacity plus 2/s for 10 s, got \(allowed)")
        }
    }

    @Test func usersAndScopesHaveTheirOwnBuckets() async throws {
        try await RoomRedis.withClient { client, prefix in
            let limiter = UserRateLimiter(redis: client, keyPrefix: prefix, bucket: .init(capacity: 1, refillPerSecond: 1),
                                          scopes: ["hold": .init(capacity: 3, refillPerSecond: 0.1)])
            let now = RoomClock.origin
            expectDecision(try await limiter.check(userID: "alice", now: now), .allowed(remaining: 0))
            expectDecision(try await limiter.check(userID: "{alice}", now: now), .allowed(remaining: 0))
            expectDecision(try await limiter.check(userID: "bob", now: now), .allowed(remaining: 0))
            expectDecision(try await limiter.check(userID: "alice", scope: "hold", now: now), .allowed(remaining: 2))
            expectDecision(try await limiter.check(userID: "alice", scope: "hold", cost: 2, now: now), .allowed(remaining: 0))
            expectDecision(try await limiter.check(userID: "alice", scope: "hold", now: now), .refused(retryAfter: .seconds(10)))
            expectDecision(try await limiter.check(userID: "alice", now: now), .refused(retryAfter: .seconds(1)))
        }
    }

    @Test func enforceThrowsResourceExhaustedWithRetryAfterMetadata() async throws {
        try await RoomRedis.withClient { client, prefix in
            let limiter = UserRateLimiter(redis: client, keyPrefix: prefix, bucket: .init(capacity: 1, refillPerSecond: 4))
            try await limiter.enforce(userID: "alice", now: RoomClock.origin)
            do {
                try await limiter.enforce(userID: "alice", now: RoomClock.origin)
                Issue.record("the second call in a 1-token bucket was allowed")
            } catch let error as RPCError {
                #expect(error.code == .resourceExhausted)
                #expect(error.metadata[stringValues: "retry-after-ms"] == ["250"])
                #expect(error.message.contains("retry after 250 ms"))
            }
        }
    }

    @Test func badInputIsInvalidArgument() async throws {
        try await RoomRedis.withClient { client, prefix in
            let limiter = UserRateLimiter(redis: client, keyPrefix: prefix, bucket: .init(capacity: 2, refillPerSecond: 1))
            for (user, cost) in [("", 1.0), ("alice", 0), ("alice", 3), ("alice", -1)] {
                do {
                    _ = try await limiter.check(userID: user, cost: cost, now: RoomClock.origin)
                    Issue.record("user '\(user)' cost \(cost) was accepted")
                } catch let error as RPCError {
                    #expect(error.code == .invalidArgument)
                }
            }
        }
    }

    @Test(arguments: [(Duration.milliseconds(250), "250"), (.microseconds(1_500), "2"), (.seconds(3), "3000"), (.zero, "0")])
    func rateLimitedErrorsRoundTheWaitUp(wait: Duration, header: String) {
        let error = RPCError.rateLimited(retryAfter: wait, what: "user u")
        #expect(error.code == .resourceExhausted)
        #expect(error.metadata[stringValues: RPCError.retryAfterMillisecondsKey] == [header])
    }
}

/// Checks a rate-limit answer. The throwing call is made by the caller, outside `#expect`: a test
/// closure whose only `try` sits inside a macro is inferred as non-throwing.
private func expectDecision(_ actual: RateLimitDecision, _ expected: RateLimitDecision, _ comment: Comment? = nil,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual == expected, comment, sourceLocation: sourceLocation)
}
