@testable import BoxOfficePostgres
import Testing

@Suite("Pipeline state machine (no I/O)")
struct PipelineStateMachineTests {
    static func ok(rows: Int = 0, affected: Int = 1) -> PipelineStateMachine.Event {
        .result(PostgresResult(rows: .empty, affectedRows: affected, commandTag: "UPDATE \(affected)"))
    }
    static let failure = PostgresError(code: .server, message: "boom", sqlState: "22012")

    @Test func preparesEachSQLOncePerConnection() {
        var machine = PipelineStateMachine()
        let outcome1 = machine.plan(1, sqls: ["A", "B", "A"])
        #expect(outcome1 == [
            .prepare(name: "bo0", sql: "A"), .execute(name: "bo0", statementIndex: 0),
            .prepare(name: "bo1", sql: "B"), .execute(name: "bo1", statementIndex: 1),
            .execute(name: "bo0", statementIndex: 2), .sync,
        ])
        let outcome2 = machine.plan(2, sqls: ["B"])
        #expect(outcome2 == [.execute(name: "bo1", statementIndex: 0), .sync])
        #expect(machine.preparedStatementCount == 2)
    }

    @Test func matchesResultsToRequestsAcrossSyncPoints() {
        var machine = PipelineStateMachine()
        _ = machine.plan(1, sqls: ["A"])
        _ = machine.plan(2, sqls: ["A"])
        let events: [PipelineStateMachine.Event] = [
            Self.ok(), .endOfStatement,             // prepare A
            Self.ok(affected: 1), .endOfStatement,  // request 1
            .sync,
            Self.ok(affected: 0), .endOfStatement,  // request 2
            .sync,
        ]
        let actions = events.compactMap { machine.receive($0) }
        #expect(actions == [.succeed(1), .succeed(2)])
        let outcome3 = machine.takeResults(1)
        #expect(outcome3.map(PostgresResultSummary.init) == [PostgresResultSummary(rowCount: 0, affectedRows: 1)])
        #expect(machine.takeResults(2).map(PostgresResultSummary.init) == [PostgresResultSummary(rowCount: 0, affectedRows: 0)])
        #expect(machine.isIdle)
    }

    @Test func anErrorAbortsOnlyTheRestOfItsOwnRequest() {
        var machine = PipelineStateMachine()
        _ = machine.plan(1, sqls: ["A", "B", "C"])
        _ = machine.plan(2, sqls: ["D"])
        let events: [PipelineStateMachine.Event] = [
            Self.ok(), .endOfStatement, Self.ok(), .endOfStatement,        // prepare A, execute A
            Self.ok(), .endOfStatement, .error(Self.failure), .endOfStatement, // prepare B, execute B fails
            .aborted, .endOfStatement, .aborted, .endOfStatement,          // prepare C, execute C skipped
            .sync,
            Self.ok(), .endOfStatement, Self.ok(affected: 3), .endOfStatement, .sync,
        ]
        let actions = events.compactMap { machine.receive($0) }
        #expect(actions == [.fail(1, Self.failure), .succeed(2)])
        #expect(machine.takeResults(2).map(PostgresResultSummary.init) == [PostgresResultSummary(rowCount: 0, affectedRows: 3)])
        // C was never prepared, so it is prepared again next time; A, B and D are known.
        let outcome4 = machine.plan(3, sqls: ["C", "B"])
        #expect(outcome4 == [
            .prepare(name: "bo4", sql: "C"), .execute(name: "bo4", statementIndex: 0), .execute(name: "bo1", statementIndex: 1), .sync,
        ])
    }

    @Test func aFailedPrepareIsForgotten() {
        var machine = PipelineStateMachine()
        _ = machine.plan(1, sqls: ["SELEC 1"])
        let actions = [PipelineStateMachine.Event.error(Self.failure), .endOfStatement, .aborted, .endOfStatement, .sync]
            .compactMap { machine.receive($0) }
        #expect(actions == [.fail(1, Self.failure)])
        #expect(machine.preparedStatementCount == 0)
    }

    @Test func outOfOrderResultsCloseTheConnection() {
        var machine = PipelineStateMachine()
        _ = machine.plan(1, sqls: ["A"])
        let action = machine.receive(.sync)
        guard case .closeConnection(let error)? = action else {
            Issue.record("expected closeConnection, got \(String(describing: action))")
            return
        }
        #expect(error.code == .protocolViolation)
    }

    @Test func connectionLossFailsEveryPendingRequestAndForgetsStatements() {
        var machine = PipelineStateMachine()
        _ = machine.plan(1, sqls: ["A"])
        _ = machine.plan(2, sqls: ["B"])
        _ = machine.receive(Self.ok())
        let lost = machine.connectionLost(PostgresError(code: .connectionClosed, message: "gone"))
        #expect(lost == [1, 2])
        #expect(machine.isIdle)
        #expect(machine.preparedStatementCount == 0)
    }

    @Test func strayEndOfStatementIsIgnored() {
        var machine = PipelineStateMachine()
        let outcome5 = machine.receive(.endOfStatement)
        #expect(outcome5 == nil)
        _ = machine.plan(1, sqls: ["A"])
        let outcome6 = machine.receive(.endOfStatement)
        #expect(outcome6 == nil)
        #expect(!machine.isIdle)
    }

    @Test func aSimpleQueryAnswersWithItsLastStatementsResultAtEndOfQuery() {
        var machine = PipelineStateMachine()
        machine.planSimpleQuery(1)
        let actions = [Self.ok(affected: 1), Self.ok(affected: 2), .endOfStatement].compactMap { machine.receive($0) }
        #expect(actions == [.succeed(1)])
        #expect(machine.takeResults(1).map(PostgresResultSummary.init) == [PostgresResultSummary(rowCount: 0, affectedRows: 2)])
        #expect(machine.isIdle)
        // Pipelined requests planned afterwards are matched as usual.
        _ = machine.plan(2, sqls: ["A"])
        let next = [Self.ok(), .endOfStatement, Self.ok(affected: 5), .endOfStatement, .sync].compactMap { machine.receive($0) }
        #expect(next == [.succeed(2)])
        #expect(machine.takeResults(2).map(PostgresResultSummary.init) == [PostgresResultSummary(rowCount: 0, affectedRows: 5)])
    }

    @Test func aFailedSimpleQueryReportsItsErrorAndAnEmptyOneAnEmptyResult() {
        var machine = PipelineStateMachine()
        machine.planSimpleQuery(1)
        let failed = [Self.ok(), PipelineStateMachine.Event.error(Self.failure), .endOfStatement].compactMap { machine.receive($0) }
        #expect(failed == [.fail(1, Self.failure)])
        machine.planSimpleQuery(2)
        let empty = machine.receive(.endOfStatement)
        #expect(empty == .succeed(2))
        #expect(machine.takeResults(2).map(PostgresResultSummary.init) == [PostgresResultSummary(rowCount: 0, affectedRows: 0)])
    }

    @Test func connectionLossFailsAPendingSimpleQuery() {
        var machine = PipelineStateMachine()
        machine.planSimpleQuery(7)
        #expect(machine.connectionLost(PostgresError(code: .connectionClosed, message: "gone")) == [7])
        #expect(machine.isIdle)
    }
}
