import BoxOfficeHarness
import BoxOfficeRedis
import Testing

/// Faults against servers of the tests' own (never the shared one).
@Suite("Faults against real servers")
struct RedisFaultTests {
    @Test func serverDownAtStartFailsClearlyAfterRetrying() async throws {
        let port = try await RedisServer.freePort()
        let started = ContinuousClock.now
        do {
            _ = try await RedisClient.connect(configuration: RedisConfiguration(port: port), connectionCount: 2,
                                              connectDeadline: .milliseconds(400),
                                              backoff: RedisBackoff(initial: .milliseconds(20), maximum: .milliseconds(100)))
            Issue.record("nothing listens there")
        } catch let error as RedisError {
            #expect(error.code == .connectionFailed)
            #expect(error.message.contains("127.0.0.1:\(port)"))
            #expect(error.message.contains("attempts"))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func serverComingUpDuringConnectRetriesIsReached() async throws {
        let port = try await RedisServer.freePort()
        let client = Task { try await RedisClient.connect(configuration: RedisConfiguration(port: port), connectionCount: 2,
                                               connectDeadline: .seconds(20),
                                               backoff: RedisBackoff(initial: .milliseconds(20), maximum: .milliseconds(100))) }
        try await LiveRedis.withOwnServer(RedisServer.Options(port: port)) { (_: RedisServer) async throws in
            let redis = try await client.value
            #expect(try await redis.ping() == "PONG")
            await redis.close()
        }
    }

    @Test func clientReconnectsAfterRestartAndEvalScriptReloadsTheScript() async throws {
        try await LiveRedis.withOwnServer { (server: RedisServer) async throws in
            let redis = try await RedisClient.connect(configuration: server.configuration, connectionCount: 2,
                                                      backoff: RedisBackoff(initial: .milliseconds(20), maximum: .milliseconds(200)))
            let script = RedisScript("return redis.call('INCR', KEYS[1])")
            #expect(try await redis.evalScript(script, keys: ["{h}:n"]) == .integer(1))

            await server.kill()
            // Commands while down fail fast, with a connection error, never hang.
            let whileDown = try await withTimeout(seconds: 10) { () -> RedisError? in
                do {
                    _ = try await redis.ping()
                    return nil
                } catch let error as RedisError {
                    return error
                }
            }
            #expect(whileDown.map { [.notConnected, .connectionClosed].contains($0.code) } == true)

            try await server.restart()
            // The pool reconnects on its own; wait (bounded) until every connection is back.
            try await withTimeout(seconds: 15) {
                while redis.connectedCount < 2 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(try await redis.ping() == "PONG")
            // The restart emptied the script cache: NOSCRIPT → SCRIPT LOAD → EVALSHA.
            #expect(try await redis.send("SCRIPT", "EXISTS", script.sha1) == .array([.integer(0)]))
            #expect(try await redis.evalScript(script, keys: ["{h}:n"]) == .integer(1))
            await redis.close()
        }
    }

    @Test func commandsInFlightWhenTheServerDiesFailWithConnectionClosed() async throws {
        try await LiveRedis.withOwnServer { (server: RedisServer) async throws in
            let connection = try await RedisConnection.connect(configuration: server.configuration)
            // BLPOP parks the command on the server so it is surely in flight when the server dies.
            async let blocked = connection.send("BLPOP", "{h}:never", 30)
            try await withTimeout(seconds: 10) {
                while try await Self.blockedClients(server) < 1 { try await Task.sleep(for: .milliseconds(10)) }
            }
            await server.kill()
            do {
                _ = try await blocked
                Issue.record("the server died; the command cannot succeed")
            } catch let error as RedisError {
                #expect(error.code == .connectionClosed)
            }
            #expect(!connection.isActive)
            do {
                _ = try await connection.ping()
                Issue.record("a closed connection must refuse commands")
            } catch let error as RedisError {
                #expect(error.code == .connectionClosed)
            }
        }
    }

    @Test func wrongPasswordIsAnAuthenticationError() async throws {
        try await LiveRedis.withOwnServer(RedisServer.Options(password: "s3cret")) { (server: RedisServer) async throws in
            var configuration = server.configuration
            configuration.password = "wrong"
            do {
                _ = try await RedisClient.connect(configuration: configuration, connectDeadline: .seconds(5))
                Issue.record("AUTH with a wrong password must fail")
            } catch let error as RedisError {
                #expect(error.code == .authenticationFailed)
                #expect(error.serverPrefix == "WRONGPASS")
            }
            // No password at all: the server answers NOAUTH to commands.
            configuration.password = nil
            let open = try await RedisConnection.connect(configuration: configuration)
            do {
                _ = try await open.ping()
                Issue.record("the server requires a password")
            } catch let error as RedisError {
                #expect(error.serverPrefix == "NOAUTH")
            }
            await open.close()
            let redis = try await RedisClient.connect(configuration: server.configuration)
            #expect(try await redis.ping() == "PONG")
            await redis.close()
        }
    }

    @Test func aclUserAndDatabaseSelection() async throws {
        let options = RedisServer.Options(password: "admin-pw", aclUsers: [(user: "booking", password: "b-pw")])
        try await LiveRedis.withOwnServer(options) { (server: RedisServer) async throws in
            let configuration = RedisConfiguration(port: server.port, username: "booking", password: "b-pw", database: 3)
            let redis = try await RedisClient.connect(configuration: configuration, connectionCount: 1)
            #expect(try await redis.send("ACL", "WHOAMI") == .bulkString(Array("booking".utf8)))
            try await redis.set("{h}:db", to: "three")
            await redis.close()
            let admin = try await RedisConnection.connect(configuration: server.configuration)
            #expect(try await admin.get("{h}:db") == nil)  // database 0
            try await admin.send("SELECT", 3)
            #expect(try await admin.getString("{h}:db") == "three")
            try await admin.flushAll()  // this server is the test's own
            #expect(try await admin.send("DBSIZE") == .integer(0))
            await admin.close()

            var wrongUser = configuration
            wrongUser.password = "admin-pw"
            do {
                _ = try await RedisConnection.connect(configuration: wrongUser)
                Issue.record("booking's AUTH with admin's password must fail")
            } catch let error as RedisError {
                #expect(error.code == .authenticationFailed)
            }
        }
    }

    private static func blockedClients(_ server: RedisServer) async throws -> Int {
        let probe = try await RedisConnection.connect(configuration: server.configuration)
        defer { Task { await probe.close() } }
        let info = try await probe.send("INFO", "clients").string ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("blocked_clients:") }
        return line.flatMap { Int($0.dropFirst("blocked_clients:".count)) } ?? 0
    }
}
