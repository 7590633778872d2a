@testable import BoxOfficePostgres
import Testing

@Suite("Connection pool against a real server")
struct PoolTests {
    @Test(arguments: [1, 8])
    func manyConcurrentHoldersOfOneSeatProduceOneWinner(pipelineDepth: Int) async throws {
        let options = PostgresPoolOptions(maximumConnections: 6, acquireTimeout: .seconds(20), pipelineDepth: pipelineDepth)
        try await withTestClient("race", options: options) { db in
            _ = try await db.execute("CREATE TABLE seats (id bigint PRIMARY KEY, status text NOT NULL, held_by text)")
            _ = try await db.execute("INSERT INTO seats SELECT g, 'available', NULL FROM generate_series(1, 50) g")
            let hold = "UPDATE seats SET status = 'held', held_by = $1 WHERE id = $2 AND status = 'available'"
            // 40 racers for each of 50 seats, all at once through 6 connections.
            let wins = try await withThrowingTaskGroup(of: Int.self) { group in
                for racer in 0..<40 {
                    group.addTask {
                        var won = 0
                        for seat in 1...50 { won += try await db.execute(hold, ["racer\(racer)", seat]) }
                        return won
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(wins == 50)
            let held = try await db.query("SELECT count(*) FROM seats WHERE status = 'held'")
            #expect(try held[0].decode(Int.self, column: 0) == 50)
            #expect(db.openConnectionCount <= 6)
        }
    }

    @Test func acquireTimesOutWhenEveryConnectionIsLent() async throws {
        let options = PostgresPoolOptions(maximumConnections: 1, acquireTimeout: .milliseconds(200))
        try await withTestClient("timeout", options: options) { db in
            try await db.withConnection { _ in
                let error = await #expect(throws: PostgresError.self) { _ = try await db.query("SELECT 1") }
                #expect(error?.code == .poolTimeout)
            }
            // Once returned, the connection serves the next caller.
            #expect(try await db.query("SELECT 1")[0].decode(Int.self, column: 0) == 1)
        }
    }

    @Test func connectionLeftInATransactionIsRolledBackBeforeReuse() async throws {
        try await withTestClient("leftopen", options: .init(maximumConnections: 1)) { db in
            _ = try await db.execute("CREATE TABLE t (id int)")
            try await db.withConnection { connection in
                _ = try await connection.execute("BEGIN")
                _ = try await connection.execute("INSERT INTO t VALUES (1)")
                #expect(connection.transactionState == .inTransaction)
            }
            try await db.withConnection { connection in
                #expect(connection.transactionState == .idle)
                _ = try await connection.execute("BEGIN")
                _ = try? await connection.execute("SELECT 1 / 0")
                #expect(connection.transactionState == .failedTransaction)
            }
            let count = try await db.query("SELECT count(*) FROM t")
            #expect(try count[0].decode(Int.self, column: 0) == 0)
            #expect(db.openConnectionCount == 1, "rolled back and kept, not replaced")
        }
    }

    @Test func aConnectionWhoseServerSessionEndsDuringALeaseIsDroppedNotLentAgain() async throws {
        try await withTestClient("lost", options: .init(maximumConnections: 2, acquireTimeout: .seconds(10))) { db in
            let lostPID = try await db.withConnection { connection in
                let pid = try await connection.query("SELECT pg_backend_pid()")[0].decode(Int.self, column: 0)
                // The pool's other connection ends this one's server session.
                #expect(try await db.query("SELECT pg_terminate_backend($1)", [pid])[0].decode(Bool.self, column: 0))
                let error = await #expect(throws: PostgresError.self) { _ = try await connection.query("SELECT 1") }
                #expect(
                    error?.isConnectionLost == true || error?.sqlState == "57P01" || error?.code == .closed,
                    "got \(String(describing: error))")
                #expect(connection.isClosed)
                #expect(connection.transactionState == .unknown, "a lost connection never reads as idle")
                return pid
            }
            var servedBy: Set<Int> = []
            for _ in 0..<4 {
                servedBy.insert(try await db.withConnection { try await $0.query("SELECT pg_backend_pid()")[0].decode(Int.self, column: 0) })
            }
            #expect(!servedBy.contains(lostPID))
            #expect(db.openConnectionCount <= 2)
        }
    }

    @Test func shutdownFailsLaterCalls() async throws {
        let configuration = try await PostgresTestEnvironmentProxy.sharedConfiguration()
        let db = PostgresClient(configuration: configuration, options: .init(maximumConnections: 2), logger: testLogger)
        #expect(try await db.query("SELECT 1").count == 1)
        await db.shutdown()
        let error = await #expect(throws: PostgresError.self) { _ = try await db.query("SELECT 1") }
        #expect(error?.code == .closed)
    }

    /// Where a task runs: on its affinity scope's reactor thread, on another reactor's, or elsewhere.
    /// (Thread identity, not names: Foundation sometimes reports a reactor thread under the name of
    /// the thread that started it.)
    enum Place: Hashable {
        case scopeReactor, otherReactor, elsewhere

        static var current: Place {
            if PostgresReactor.preferred?.isCurrentThread == true { return .scopeReactor }
            return PostgresReactor.isOnAReactorThread ? .otherReactor : .elsewhere
        }
    }

    /// Where `tasks` tasks ran after each of `rounds` statements, checking every answer.
    static func placesAfterQueries(_ db: PostgresClient, tasks: Int, rounds: Int) async throws -> Set<Place> {
        try await withThrowingTaskGroup(of: Set<Place>.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var places: Set<Place> = []
                    for round in 0..<rounds {
                        let value = task * 1000 + round
                        let answer = try await db.query("SELECT $1::bigint", [value])[0].decode(Int.self, column: 0)
                        #expect(answer == value)
                        places.insert(Place.current)
                    }
                    return places
                }
            }
            return try await group.reduce(into: []) { $0.formUnion($1) }
        }
    }

    /// With a pipeline depth above one, callers share connections and pass through the reactor's queue.
    @Test(arguments: [1, 4])
    func reactorAffinityRunsCallersOnTheReactorThread(pipelineDepth: Int) async throws {
        let options = PostgresPoolOptions(maximumConnections: 2, acquireTimeout: .seconds(20), pipelineDepth: pipelineDepth)
        try await withTestClient("affinity", options: options) { db in
            // Outside a scope, callers resume on the global executor's threads.
            let outside = try await Self.placesAfterQueries(db, tasks: 6, rounds: 10)
            #expect(outside == [.elsewhere])
            let inside = try await db.withReactorAffinity {
                try await Self.placesAfterQueries(db, tasks: 6, rounds: 10)
            }
            #expect(inside == [.scopeReactor])
            // The pool still serves callers after the scope ended.
            #expect(try await db.query("SELECT 7")[0].decode(Int.self, column: 0) == 7)
        }
    }

    @Test func anAffinityScopeWithoutConnectionsStillRunsOnAReactorAndEndsCleanly() async throws {
        let db = PostgresClient(configuration: try await PostgresTestEnvironmentProxy.sharedConfiguration(), logger: testLogger)
        // No connection is ever opened: the scope's pin alone keeps its reactor thread running,
        // and each scope (its reactor stopped when the previous one ended) gets a running one.
        for round in 0..<3 {
            let places = try await db.withReactorAffinity {
                try await withThrowingTaskGroup(of: Place.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            await Task.yield()
                            return Place.current
                        }
                    }
                    return try await group.reduce(into: [Place]()) { $0.append($1) }
                }
            }
            #expect(places == Array(repeating: .scopeReactor, count: 4), "round \(round)")
        }
        #expect(db.openConnectionCount == 0)
        await db.shutdown()
    }
}
