import BoxOfficeRedis
import Testing

@Suite("Pipelining against the shared Redis")
struct RedisPipeliningLiveTests {
    @Test func manyConcurrentCallersOnOneConnectionGetTheirOwnReplies() async throws {
        try await LiveRedis.withSharedClient(connections: 1) { (redis: RedisClient, prefix: String) async throws in
            let callers = 200
            let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                for caller in 0..<callers {
                    group.addTask {
                        var mismatches = 0
                        for round in 0..<10 {
                            let key = "\(prefix)c:\(caller)"
                            let value = "\(caller)-\(round)"
                            try await redis.set(key, to: value)
                            if try await redis.getString(key) != value { mismatches += 1 }
                        }
                        return mismatches
                    }
                }
                var total = 0
                for try await count in group { total += count }
                return total
            }
            #expect(mismatches == 0)
        }
    }

    @Test func batchRepliesComeBackInOrderWithErrorsInTheirSlots() async throws {
        try await LiveRedis.withSharedClient(connections: 1) { (redis: RedisClient, prefix: String) async throws in
            var commands = (0..<500).map { _ in RedisCommand("INCRBY", prefix + "n", 1) }
            commands.insert(RedisCommand("HGET", prefix + "n", "f"), at: 250)  // WRONGTYPE in the middle
            let replies = try await redis.execute(commands)
            #expect(replies.count == 501)
            #expect(replies[0] == .integer(1))
            #expect(replies[249] == .integer(250))
            #expect(replies[250] == .error(RedisServerError(prefix: "WRONGTYPE",
                                                             message: "Operation against a key holding the wrong kind of value")))
            #expect(replies[251] == .integer(251))
            #expect(replies[500] == .integer(500))
        }
    }

    @Test func concurrentBatchesAreEachContiguous() async throws {
        try await LiveRedis.withSharedClient(connections: 2) { (redis: RedisClient, prefix: String) async throws in
            // Each batch is MULTI/EXEC; interleaving with another caller's commands would break it.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for caller in 0..<50 {
                    group.addTask {
                        let replies = try await redis.execute([
                            RedisCommand("MULTI"),
                            RedisCommand("INCRBY", prefix + "total", 1),
                            RedisCommand("SET", "\(prefix)own:\(caller)", caller),
                            RedisCommand("EXEC"),
                        ])
                        #expect(replies[3].array?.count == 2)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await redis.getString(prefix + "total") == "50")
        }
    }

    @Test func largeValuesSpanManyReads() async throws {
        try await LiveRedis.withSharedClient(connections: 1) { (redis: RedisClient, prefix: String) async throws in
            let big = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try await redis.set(prefix + "big", to: big)
            #expect(try await redis.get(prefix + "big") == big)
        }
    }

    @Test func clientSpreadsCommandsRoundRobinOverItsConnections() async throws {
        try await LiveRedis.withSharedClient(connections: 3) { (redis: RedisClient, _: String) async throws in
            #expect(redis.connectedCount == 3)
            var ids: [Int64] = []
            for _ in 0..<9 { ids.append(try await redis.send("CLIENT", "ID").integer ?? -1) }
            #expect(Set(ids).count == 3)
            #expect(Array(ids[0..<3]) == Array(ids[3..<6]))  // the same order every turn
        }
    }
}
