import BoxOfficeHarness
import BoxOfficePostgres
import Testing

/// Faults against servers of our own (never the shared one): restarts, kills, password auth.
@Suite("Faults against real servers")
struct FaultTests {
    @Test func serverDownAtStartFailsClearlyAndRetriesUntilItIsUp() async throws {
        try await withOwnServer(.init(settings: ["fsync": "off"])) { server in
        try await server.stop(mode: .fast)
        let refused = await #expect(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect(configuration: server.configuration(), logger: testLogger)
        }
        #expect(refused?.code == .connectionFailed)
        #expect(refused?.message.contains("\(server.port)") == true)

        // Bring the server up while a client retries; the client connects once it is up.
        async let started: Void = server.startAgain()
        let db = PostgresClient(configuration: server.configuration(), logger: testLogger)
        try await db.waitUntilReachable(deadline: .now + .seconds(30))
        try await started
        #expect(try await db.query("SELECT 1").count == 1)
        await db.shutdown()
        let connection = try await PostgresConnection.connect(
            configuration: server.configuration(), retryingUntil: .now + .seconds(30), logger: testLogger)
        #expect(try await connection.query("SELECT 1")[0].decode(Int.self, column: 0) == 1)
        await connection.close()

        // With the server down, retrying gives up at the deadline with the last error.
        try await server.stop(mode: .immediate)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect(
                configuration: server.configuration(), retryingUntil: .now + .milliseconds(700), logger: testLogger)
        }
        #expect(clock.now - start < .seconds(5))
        }
    }

    @Test(arguments: [PostgresServer.StopMode.immediate, .fast])
    func restartMidQueryFailsTheCallThenThePoolRecovers(mode: PostgresServer.StopMode) async throws {
        try await withOwnServer(.init(settings: ["fsync": "off"])) { server in
        let db = PostgresClient(
            configuration: server.configuration(),
            options: .init(maximumConnections: 2, acquireTimeout: .seconds(10), healthCheckAfterIdle: .zero), logger: testLogger)
        #expect(try await db.query("SELECT 1").count == 1)
        let sleeping = Task { try await db.query("SELECT pg_sleep(30)") }
        // Wait (bounded) until the sleep is really running on the server, then stop the server under it.
        let observer = try await PostgresConnection.connect(configuration: server.configuration(), logger: testLogger)
        var running = false
        for _ in 0..<200 where !running {
            running = try await observer.query("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'")[0]
                .decode(Int.self, column: 0) == 1
            if !running { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(running)
        await observer.close()
        try await server.stop(mode: mode)
        let error = await #expect(throws: PostgresError.self) { _ = try await sleeping.value }
        #expect(error?.isConnectionLost == true || error?.sqlState == "57P01", "got \(String(describing: error))")

        // While down: a clear connection error, not a hang.
        let down = await #expect(throws: PostgresError.self) { _ = try await db.query("SELECT 1") }
        #expect(down?.isConnectionLost == true)

        try await server.startAgain()
        // The broken connection was dropped; the pool opens a fresh one and later calls succeed.
        #expect(try await db.query("SELECT 2")[0].decode(Int.self, column: 0) == 2)
        #expect(try await db.transaction { try await $0.query("SELECT 3")[0].decode(Int.self, column: 0) } == 3)
        await db.shutdown()
        }
    }

    @Test func idleConnectionsBrokenByARestartAreReplacedOnBorrow() async throws {
        try await withOwnServer(.init(settings: ["fsync": "off"])) { server in
        let db = PostgresClient(
            configuration: server.configuration(),
            options: .init(maximumConnections: 3, healthCheckAfterIdle: .zero), logger: testLogger)
        // Open three connections, then restart the server under them while they sit idle.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { _ = try await db.query("SELECT pg_sleep(0.05)") } }
            try await group.waitForAll()
        }
        try await server.stop(mode: .fast)
        try await server.startAgain()
        // Every call succeeds: the health check on borrow notices the dead sockets first.
        for value in 0..<6 {
            #expect(try await db.query("SELECT $1::int", [value])[0].decode(Int.self, column: 0) == value)
        }
        await db.shutdown()
        }
    }

    @Test func wrongPasswordIsRejectedClearly() async throws {
        try await withOwnServer(.init(password: "s3cret pass", settings: ["fsync": "off"])) { server in
        let good = try await PostgresConnection.connect(configuration: server.configuration(), logger: testLogger)
        #expect(try await good.query("SELECT current_user")[0].decode(String.self, column: 0) == "postgres")
        await good.close()
        let wrongURL = "postgresql://postgres:wrong@127.0.0.1:\(server.port)/postgres"
        let error = await #expect(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect(configuration: PostgresConfiguration(url: wrongURL), logger: testLogger)
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.message.contains("password authentication failed") == true)
        }
    }
}

/// Runs `body` with a throwaway server of its own, stopped and removed afterwards even when `body` fails.
func withOwnServer(_ options: PostgresServer.Options, _ body: (PostgresServer) async throws -> Void) async throws {
    let server = try await PostgresServer.start(options)
    do {
        try await body(server)
    } catch {
        try? await server.stopAndRemove()
        throw error
    }
    try await server.stopAndRemove()
}
