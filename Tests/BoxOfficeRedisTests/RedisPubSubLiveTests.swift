import BoxOfficeHarness
import BoxOfficeRedis
import Testing

@Suite("Pub/sub against the shared Redis")
struct RedisPubSubLiveTests {
    @Test func channelAndPatternMessagesArriveInOrder() async throws {
        let configuration = try await RedisTestEnvironment.sharedConfiguration()
        let prefix = RedisTestEnvironment.uniqueKeyPrefix("ps")
        let subscription = try await RedisSubscription.open(configuration: configuration,
                                                            channels: [prefix + "queue"], patterns: [prefix + "ev:*"])
        try await LiveRedis.withSharedClient { (redis: RedisClient, _: String) async throws in
            for index in 0..<5 { try await redis.send("PUBLISH", prefix + "queue", "update \(index)") }
            #expect(try await redis.send("PUBLISH", prefix + "ev:42", [UInt8]([0, 1, 2])) == .integer(1))
        }
        let received = try await withTimeout(seconds: 10) {
            var received: [RedisPubSubMessage] = []
            for await message in subscription.messages {
                received.append(message)
                if received.count == 6 { break }
            }
            return received
        }
        #expect(received.prefix(5).map(\.text) == (0..<5).map { "update \($0)" })
        #expect(received.prefix(5).allSatisfy { $0.channel == prefix + "queue" && $0.pattern == nil })
        #expect(received.last == RedisPubSubMessage(channel: prefix + "ev:42", pattern: prefix + "ev:*", payload: [0, 1, 2]))

        try await subscription.unsubscribe(from: [prefix + "queue"])
        try await LiveRedis.withSharedClient { (redis: RedisClient, _: String) async throws in
            #expect(try await redis.send("PUBLISH", prefix + "queue", "unheard") == .integer(0))
        }
        await subscription.close()
        // The stream finishes when the connection closes.
        try await withTimeout(seconds: 10) { for await _ in subscription.messages {} }
    }
}
