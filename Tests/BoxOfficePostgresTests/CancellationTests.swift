import BoxOfficeHarness
import BoxOfficePostgres
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
}
