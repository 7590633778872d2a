import BoxOfficeRedis
import Testing

@Suite("Typed commands against the shared Redis")
struct RedisCommandsLiveTests {
    @Test func pingAndRawSend() async throws {
        try await LiveRedis.withSharedClient { (redis: RedisClient, prefix: String) async throws in
            #expect(try await redis.ping() == "PONG")
            try await redis.send("SET", prefix + "raw", "value")
            #expect(try await redis.send("GET", prefix + "raw") == .bulkString(Array("value".utf8)))
        }
    }

    @Test func getSetWithExpiryAndConditions() async throws {
        try await LiveRedis.withSharedClient { (redis: RedisClient, prefix: String) async throws in
            let key = prefix + "seat"
            #expect(try await redis.get(key) == nil)
            #expect(try await redis.set(key, to: "held", expiration: .seconds(30), condition: .ifNotExists))
            #expect(try await !redis.set(key, to: "other", condition: .ifNotExists))
            #expect(try await redis.getString(key) == "held")
            let ttl = try await redis.send("PTTL", key).integer ?? -1
            #expect((1...30_000).contains(ttl))
            #expect(try await !redis.set(prefix + "absent", to: "x", condition: .ifExists))
            #expect(try await redis.set(key, to: "sold", condition: .ifExists))
            #expect(try await redis.getString(key) == "sold")
            #expect(try await redis.send("PTTL", key) == .integer(-1))
        }
    }

    @Test func binaryValuesRoundTrip() async throws {
        try await LiveRedis.withSharedClient { (redis: RedisClient, prefix: String) async throws in
            let payload = (0...255).map { UInt8($0) } + [13, 10, 0]
            try await redis.set(prefix + "bin", to: payload)
            #expect(try await redis.get(prefix + "bin") == payload)
        }
    }

    @Test func deleteAndIncrement() async throws {
        try await LiveRedis.withSharedClient { (redis: RedisClient, prefix: String) async throws in
            #expect(try await redis.increment(prefix + "available", by: 100) == 100)
            #expect(try await redis.increment(prefix + "available", by: -3) == 97)
            try await redis.set(prefix + "other", to: "x")
            #expect(try await redis.delete(prefix + "available", prefix + "other", prefix + "never") == 2)
        }
    }

    @Test func hashes() async throws {
        try await LiveRedis.withSharedClient { (redis: RedisClient, prefix: String) async throws in
            let key = prefix + "seat:A1"
            #expect(try await redis.hset(key, fields: [("status", "held"), ("holder", "h-1"), ("until", 1_700_000_000)]) == 3)
            #expect(try await redis.hget(key, field: "holder") == Array("h-1".utf8))
            #expect(try await redis.hget(key, field: "nope") == nil)
            let all = try await redis.hgetall(key)
            #expect(all == ["status": Array("held".utf8), "holder": Array("h-1".utf8), "until": Array("1700000000".utf8)])
            #expect(try await redis.hgetall(prefix + "missing").isEmpty)
        }
    }

    @Test func sortedSets() async throws {
        try await LiveRedis.withSharedClient { (redis: RedisClient, prefix: String) async throws in
            let key = prefix + "queue"
            let members: [(score: Double, member: String)] = [(3, "carol"), (1, "alice"), (2, "bob")]
            #expect(try await redis.zadd(key, members: members) == 3)
            #expect(try await redis.zrange(key, from: 0, to: -1) == ["alice", "bob", "carol"])
            #expect(try await redis.zrank(key, member: "carol") == 2)
            #expect(try await redis.zrank(key, member: "dave") == nil)
            #expect(try await redis.zrem(key, members: ["bob", "dave"]) == 1)
            #expect(try await redis.zcard(key) == 2)
        }
    }

    @Test func expiries() async throws {
        try await LiveRedis.withSharedClient { (redis: RedisClient, prefix: String) async throws in
            try await redis.set(prefix + "k", to: "v")
            #expect(try await redis.expire(prefix + "k", seconds: 100))
            #expect((90...100).contains(try await redis.send("TTL", prefix + "k").integer ?? 0))
            #expect(try await redis.pexpire(prefix + "k", after: .milliseconds(50_000)))
            #expect((40_000...50_000).contains(try await redis.send("PTTL", prefix + "k").integer ?? 0))
            #expect(try await !redis.expire(prefix + "missing", seconds: 1))
        }
    }

    @Test func scanFindsExactlyThisTestsKeys() async throws {
        try await LiveRedis.withSharedClient { (redis: RedisClient, prefix: String) async throws in
            let names = (0..<250).map { "\(prefix)scan:\($0)" }
            _ = try await redis.execute(names.map { RedisCommand("SET", $0, "1") })
            let escaped = prefix.replacingOccurrences(of: "{", with: "\\{").replacingOccurrences(of: "}", with: "\\}")
            let found = try await redis.scanAll(matching: escaped + "scan:*", count: 50)
            #expect(Set(found) == Set(names))
        }
    }

    @Test func serverErrorReplyIsTypedAndTheConnectionStaysUsable() async throws {
        try await LiveRedis.withSharedClient(connections: 1) { (redis: RedisClient, prefix: String) async throws in
            try await redis.set(prefix + "string", to: "x")
            do {
                _ = try await redis.zcard(prefix + "string")
                Issue.record("ZCARD on a string must fail")
            } catch let error as RedisError {
                #expect(error.code == .serverError)
                #expect(error.serverPrefix == "WRONGTYPE")
                #expect(error.serverError?.message.contains("wrong kind of value") == true)
            }
            do {
                try await redis.send("NOSUCHCOMMAND", "x")
                Issue.record("an unknown command must fail")
            } catch let error as RedisError {
                #expect(error.serverPrefix == "ERR")
            }
            #expect(try await redis.getString(prefix + "string") == "x")
        }
    }

    @Test func evalScriptLoadsAnUnknownScriptOnce() async throws {
        try await LiveRedis.withSharedClient { (redis: RedisClient, prefix: String) async throws in
            // A source no other run has used, so the server has never seen it: NOSCRIPT first.
            let script = RedisScript("-- \(prefix)\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])")
            #expect(try await redis.send("SCRIPT", "EXISTS", script.sha1) == .array([.integer(0)]))
            #expect(try await redis.evalScript(script, keys: [prefix + "n"], arguments: [5]) == .integer(5))
            #expect(try await redis.send("SCRIPT", "EXISTS", script.sha1) == .array([.integer(1)]))
            #expect(try await redis.evalSHA(script.sha1, keys: [prefix + "n"], arguments: [2]) == .integer(7))
        }
    }

    @Test func scriptRuntimeErrorIsAServerError() async throws {
        try await LiveRedis.withSharedClient { (redis: RedisClient, prefix: String) async throws in
            let script = RedisScript("return redis.error_reply('SOLDOUT no seats left')")
            do {
                _ = try await redis.evalScript(script, keys: [prefix + "x"])
                Issue.record("the script's error must be thrown")
            } catch let error as RedisError {
                #expect(error.serverPrefix == "SOLDOUT")
                #expect(error.serverError?.message == "no seats left")
            }
        }
    }

    @Test func multiExecInOneBatchIsAtomic() async throws {
        try await LiveRedis.withSharedClient(connections: 1) { (redis: RedisClient, prefix: String) async throws in
            let replies = try await redis.execute([
                RedisCommand("MULTI"),
                RedisCommand("INCRBY", prefix + "c", 2),
                RedisCommand("INCRBY", prefix + "c", 3),
                RedisCommand("EXEC"),
            ])
            #expect(replies == [.simpleString("OK"), .simpleString("QUEUED"), .simpleString("QUEUED"),
                                .array([.integer(2), .integer(5)])])
        }
    }
}
