import BoxOfficeHarness
import BoxOfficeRedis
import Testing

/// Opens and closes many connections and clients; run under `--sanitize=address` by
/// Benchmarks/redis/leak-check.sh so LeakSanitizer sees any hiredis reader or buffer not freed.
@Suite("Connection churn")
struct RedisConnectionChurnTests {
    @Test func openUseCloseManyTimes() async throws {
        let configuration = try await RedisTestEnvironment.sharedConfiguration()
        let prefix = RedisTestEnvironment.uniqueKeyPrefix("churn")
        for round in 0..<60 {
            let connection = try await RedisConnection.connect(configuration: configuration)
            let replies = try await connection.execute([
                RedisCommand("SET", prefix + "k", round),
                RedisCommand("GET", prefix + "k"),
                RedisCommand("HGET", prefix + "k", "f"),  // an error reply, freed like any other
            ])
            #expect(replies[1] == .bulkString(Array("\(round)".utf8)))
            if round % 2 == 0 {
                await connection.close()
            } else {
                // Leave a command in flight while closing abruptly.
                async let pending = connection.execute([RedisCommand("PING")])
                await connection.closeImmediately()
                _ = try? await pending
            }
        }
        for _ in 0..<10 {
            let client = try await RedisClient.connect(configuration: configuration, connectionCount: 3)
            #expect(try await client.ping() == "PONG")
            await client.close()
        }
        let cleanup = try await RedisConnection.connect(configuration: configuration)
        try await cleanup.delete(prefix + "k")
        await cleanup.close()
    }

    @Test func subscriptionsOpenAndClose() async throws {
        let configuration = try await RedisTestEnvironment.sharedConfiguration()
        for round in 0..<20 {
            let subscription = try await RedisSubscription.open(configuration: configuration, channels: ["churn:\(round)"])
            await subscription.close()
            try await withTimeout(seconds: 10) { for await _ in subscription.messages {} }
        }
    }
}
