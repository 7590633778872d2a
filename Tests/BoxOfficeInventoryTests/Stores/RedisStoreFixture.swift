import Foundation
import BoxOfficeHarness
import BoxOfficePostgres
import BoxOfficeRedis
import BoxOfficeInventory

/// Builds the Redis store for tests on the shared Redis, under a fresh key prefix that is deleted
/// afterwards (never FLUSHALL: other tests share the server).
enum RedisStoreFixture {
    static func make(postgres: PostgresClient) async throws -> (store: RedisHoldStore, redis: RedisClient, prefix: String) {
        let redis = try await RedisClient.connect(configuration: try await RedisTestEnvironment.sharedConfiguration(),
                                                  connectionCount: 4, logger: TestBed.logger)
        let prefix = "invtest-\(UUID().uuidString.prefix(12)):"
        return (RedisHoldStore(redis: redis, postgres: postgres, keyPrefix: prefix, logger: TestBed.logger), redis, prefix)
    }

    static func cleanUp(redis: RedisClient, prefix: String) async {
        if let keys = try? await redis.scanAll(matching: prefix + "*"), !keys.isEmpty {
            _ = try? await redis.delete(keys)
        }
        await redis.close()
    }
}
