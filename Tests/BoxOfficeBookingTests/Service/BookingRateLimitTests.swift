import BoxOfficeAPI
import BoxOfficeBooking
import BoxOfficeHarness
import BoxOfficeRedis
import BoxOfficeRPC
import Foundation
import Testing

/// HoldSeats behind the per-user token bucket in real Redis.
@Suite("Booking service: per-user rate limit")
struct BookingRateLimitTests {
    @Test("a user over the HoldSeats bucket gets RESOURCE_EXHAUSTED with a retry-after; others are not limited")
    func holdRateLimited() async throws {
        let redis = try await RedisClient.connect(configuration: try await RedisTestEnvironment.sharedConfiguration(),
                                                  connectionCount: 1)
        let limiter = UserRateLimiter(redis: redis, keyPrefix: RedisTestEnvironment.uniqueKeyPrefix("bookrl"),
                                      bucket: .init(capacity: 2, refillPerSecond: 0.01))
        let outcome = await Result(catching: {
            try await BookingTestBed.run(rateLimiter: limiter) { bed in
                _ = try await bed.hold(user: "greedy", key: "a")
                _ = try await bed.hold(user: "greedy", key: "b")
                let error = await expectStatus(.resourceExhausted) {
                    _ = try await bed.client.holdSeats(bed.holdRequest(user: "greedy", key: "c"))
                }
                #expect(error?.message.contains("retry after") == true)
                #expect(bed.inventory.calls("hold").count == 2)
                #expect(try await bed.hold(user: "patient", key: "a").status == .held)
            }
        })
        await redis.close()
        try outcome.get()
    }
}
