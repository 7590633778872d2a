import BoxOfficeHarness
@testable import BoxOfficePostgres
import Testing

@Suite("Prepared-statement LRU cache")
struct PreparedStatementCacheTests {
    static let ok = PipelineStateMachine.Event.result(PostgresResult(rows: .empty, affectedRows: 0, commandTag: "SELECT 0"))

    /// Feeds the machine the results of `count` successful statements (prepares, executes or deallocates).
    static func succeed(_ count: Int, on machine: inout PipelineStateMachine) -> [PipelineStateMachine.Action] {
        (0..<count).flatMap { _ in [ok, .endOfStatement] }.compactMap { machine.receive($0) }
    }

    @Test func theLeastRecentlyUsedStatementIsDeallocatedInItsOwnSegment() {
        var machine = PipelineStateMachine(capacity: 2)
        _ = machine.plan(1, sqls: ["A", "B"])
        _ = machine.plan(2, sqls: ["A"])  // A is now more recent than B
        let steps = machine.plan(3, sqls: ["C"])
        #expect(steps == [
            .deallocate(name: "bo1"), .sync,
            .prepare(name: "bo2", sql: "C"), .execute(name: "bo2", statementIndex: 0), .sync,
        ])
        #expect(machine.preparedStatementCount == 2)
        // B comes back under a new name, evicting A (C was used last).
        let again = machine.plan(4, sqls: ["B"])
        #expect(again == [
            .deallocate(name: "bo0"), .sync,
            .prepare(name: "bo3", sql: "B"), .execute(name: "bo3", statementIndex: 0), .sync,
        ])
    }

    @Test func evictionResultsAreConsumedAndNeverFailARequest() {
        var machine = PipelineStateMachine(capacity: 1)
        _ = machine.plan(1, sqls: ["A"])
        _ = machine.plan(2, sqls: ["B"])
        var actions = Self.succeed(2, on: &machine)                      // prepare A, execute A
        actions += [PipelineStateMachine.Event.sync].compactMap { machine.receive($0) }
        // DEALLOCATE of A fails (say it was already gone): only its own segment is affected.
        let failure = PostgresError(code: .server, message: "prepared statement does not exist", sqlState: "26000")
        actions += [PipelineStateMachine.Event.error(failure), .endOfStatement, .sync].compactMap { machine.receive($0) }
        actions += Self.succeed(2, on: &machine)                         // prepare B, execute B
        actions += [PipelineStateMachine.Event.sync].compactMap { machine.receive($0) }
        let none = PostgresResultSummary(rowCount: 0, affectedRows: 0)
        #expect(actions == [.succeed(1), .succeed(2)])
        #expect(machine.takeResults(1).map(PostgresResultSummary.init) == [none])
        #expect(machine.takeResults(2).map(PostgresResultSummary.init) == [none])
        #expect(machine.isIdle)
    }

    @Test func statementsOfTheRequestBeingPlannedAreNeverEvicted() {
        var machine = PipelineStateMachine(capacity: 2)
        _ = machine.plan(1, sqls: ["A", "B"])
        let steps = machine.plan(2, sqls: ["A", "B", "C"])
        // The request needs three at once: it overflows briefly rather than dropping A or B mid-request.
        #expect(steps == [
            .execute(name: "bo0", statementIndex: 0), .execute(name: "bo1", statementIndex: 1),
            .prepare(name: "bo2", sql: "C"), .execute(name: "bo2", statementIndex: 2), .sync,
        ])
        // The next request trims the cache back to capacity.
        let next = machine.plan(3, sqls: ["C"])
        #expect(next == [.deallocate(name: "bo0"), .sync, .execute(name: "bo2", statementIndex: 0), .sync])
        #expect(machine.preparedStatementCount == 2)
    }

    @Test func serverSideCountStaysWithinCapacityAndEvictedStatementsStillRun() async throws {
        try await PostgresTestEnvironment.withDatabase("stmtcache") { base in
            let capacity = 3
            var configuration = base
            configuration.preparedStatementCacheCapacity = capacity
            let connection = try await PostgresConnection.connect(configuration: configuration, logger: testLogger)
            do {
                let countPrepared = "SELECT count(*) FROM pg_prepared_statements"
                for round in 0..<2 {
                    for value in 1...10 {
                        // Ten distinct statement texts; the second round re-prepares evicted ones.
                        let rows = try await connection.query("SELECT $1::bigint + \(value)", [round * 100])
                        #expect(try rows[0].decode(Int.self, column: 0) == round * 100 + value)
                        let prepared = try await connection.query(countPrepared)
                        #expect(try prepared[0].decode(Int.self, column: 0) <= capacity)
                    }
                }
                let batch = try await connection.batch((1...5).map { PostgresStatement("SELECT \($0)::bigint * $1::bigint", [2]) })
                #expect(try batch.map { try $0.rows[0].decode(Int.self, column: 0) } == [2, 4, 6, 8, 10])
                let prepared = try await connection.query(countPrepared)
                #expect(try prepared[0].decode(Int.self, column: 0) <= capacity)
                await connection.close()
            } catch {
                await connection.close()
                throw error
            }
        }
    }
}
