import BoxOfficeHarness
@testable import BoxOfficePostgres
import Testing

@Suite("Cancelling a query's task against a real server")
struct CancellationTests {
    static let sleeper = "SELECT pg_sleep(30)"

    /// Polls `pg_stat_activity` (bounded: 10 s) until another backend is running `sleeper`.
    static func waitUntilRunning(observer: PostgresConnection) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try await activeSleepers(observer: observer) > 0 { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    static func activeSleepers(observer: PostgresConnection) async throws -> Int {
        let rows = try await observer.query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query = $1",
            [sleeper])
        return try rows[0].decode(Int.self, column: 0)
    }

    /// True when `error` is how a cancelled call may end: `CancellationError` or SQLSTATE 57014.
    static func isCancellation(_ error: (any Error)?) -> Bool {
        if error is CancellationError { return true }
        return (error as? PostgresError)?.sqlState == "57014"
    }

    @Test func cancellingARunningQueryStopsItOnTheServerAndKeepsThePoolUsable() async throws {
        try await PostgresTestEnvironment.withDatabase("cancel") { configuration in
            let db = PostgresClient(configuration: configuration, options: .init(maximumConnections: 1), logger: testLogger)
            let observer = try await PostgresConnection.connect(configuration: configuration, logger: testLogger)
            do {
                let call = Task { try await db.query(Self.sleeper) }
                #expect(try await Self.waitUntilRunning(observer: observer))
                let cancelledAt = ContinuousClock.now
                call.cancel()
                let outcome = await call.result
                #expect(ContinuousClock.now - cancelledAt < .seconds(3))
                var thrown: (any Error)?
                if case .failure(let error) = outcome { thrown = error }
                #expect(Self.isCancellation(thrown), "got \(String(describing: thrown))")
                #expect(try await Self.activeSleepers(observer: observer) == 0)
                // The same (only) connection serves the next call: kept, idle, not replaced.
                #expect(try await db.query("SELECT 41 + 1")[0].decode(Int.self, column: 0) == 42)
                #expect(db.openConnectionCount == 1)
            } catch {
                await observer.close()
                await db.shutdown()
                throw error
            }
            await observer.close()
            await db.shutdown()
        }
    }

    @Test func cancellingATransactionRollsItBackAndLeavesTheConnectionIdle() async throws {
        try await PostgresTestEnvironment.withDatabase("canceltx") { configuration in
            let db = PostgresClient(configuration: configuration, options: .init(maximumConnections: 1), logger: testLogger)
            let observer = try await PostgresConnection.connect(configuration: configuration, logger: testLogger)
            do {
                _ = try await db.execute("CREATE TABLE t (id int)")
                let call = Task {
                    try await db.transaction { tx in
                        _ = try await tx.execute("INSERT INTO t VALUES (1)")
                        _ = try await tx.query(Self.sleeper)
                    }
                }
                #expect(try await Self.waitUntilRunning(observer: observer))
                call.cancel()
                let outcome = await call.result
                var thrown: (any Error)?
                if case .failure(let error) = outcome { thrown = error }
                #expect(Self.isCancellation(thrown), "got \(String(describing: thrown))")
                #expect(try await db.query("SELECT count(*) FROM t")[0].decode(Int.self, column: 0) == 0)
                try await db.withConnection { connection in
                    #expect(connection.transactionState == .idle)
                }
                #expect(db.openConnectionCount == 1)
            } catch {
                await observer.close()
                await db.shutdown()
                throw error
            }
            await observer.close()
            await db.shutdown()
        }
    }

    @Test func aCallCancelledBeforeItIsSentNeverReachesTheServer() async throws {
        try await withTestConnection("cancelq") { connection in
            _ = try await connection.execute("CREATE TABLE t (id int)")
            let call = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await connection.execute("INSERT INTO t VALUES (1)")
            }
            let outcome = await call.result
            var thrown: (any Error)?
            if case .failure(let error) = outcome { thrown = error }
            #expect(thrown is CancellationError)
            #expect(try await connection.query("SELECT count(*) FROM t")[0].decode(Int.self, column: 0) == 0)
        }
    }

    @Test func aCancelledPipelinedCallIsAbandonedAndItsNeighbourCompletes() async throws {
        try await withTestConnection("cancelpipe") { connection in
            _ = try await connection.execute("CREATE TABLE t (id int)")
            let slow = "SELECT pg_sleep(2), 'first'::text"
            let firstFinished = Counter()
            let first = Task {
                let rows = try await connection.query(slow)
                firstFinished.increment()
                return try rows[0].decode(String.self, column: 1)
            }
            // Wait (bounded) until the slow call is on the wire, then pipeline a second one behind it.
            #expect(await Self.waitForCallsInFlight(connection, 1))
            let second = Task { try await connection.execute("INSERT INTO t VALUES (1)") }
            #expect(await Self.waitForCallsInFlight(connection, 2))
            second.cancel()
            var thrown: (any Error)?
            if case .failure(let error) = await second.result { thrown = error }
            #expect(thrown is CancellationError, "got \(String(describing: thrown))")
            #expect(firstFinished.value == 0, "the cancelled caller did not wait for the statement ahead of it")
            // The neighbour was not cancelled on the server: it completes with its own result.
            #expect(try await first.value == "first")
            // The abandoned statement still ran; the connection stays usable and idle.
            #expect(try await connection.query("SELECT count(*) FROM t")[0].decode(Int.self, column: 0) == 1)
            #expect(connection.callsInFlight == 0)
            #expect(connection.transactionState == .idle)
        }
    }

    @Test func cancellingOneOfManyPipelinedPoolCallsLeavesTheOthersAnswered() async throws {
        let options = PostgresPoolOptions(maximumConnections: 1, acquireTimeout: .seconds(10), pipelineDepth: 8)
        try await withTestClient("cancelpool", options: options) { db in
            let sleeper = Task { try await db.query("SELECT pg_sleep(1)") }
            let answers = (0..<6).map { value in Task { try await db.query("SELECT $1::int", [value])[0].decode(Int.self, column: 0) } }
            sleeper.cancel()
            var thrown: (any Error)?
            if case .failure(let error) = await sleeper.result { thrown = error }
            #expect(Self.isCancellation(thrown), "got \(String(describing: thrown))")
            var answered: [Int] = []
            for answer in answers { answered.append(try await answer.value) }
            #expect(answered == Array(0..<6))
            let after = try await db.query("SELECT 42")[0].decode(Int.self, column: 0)
            #expect(after == 42)
            #expect(db.openConnectionCount == 1)
        }
    }

    /// Polls (bounded: 10 s) until `connection` has at least `count` calls on the wire.
    static func waitForCallsInFlight(_ connection: PostgresConnection, _ count: Int) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if connection.callsInFlight >= count { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}
