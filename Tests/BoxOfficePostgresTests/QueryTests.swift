import BoxOfficePostgres
import Foundation
import Testing

@Suite("Queries against a real server")
struct QueryTests {
    @Test func selectsRowsWithParameters() async throws {
        try await withTestConnection("select") { connection in
            let rows = try await connection.query("SELECT $1::int8 + 1 AS n, $2::text AS label", [41, "seat"])
            #expect(rows.count == 1)
            #expect(rows.columns.map(\.name) == ["n", "label"])
            let (number, label) = try rows[0].decode((Int64, String).self)
            #expect(number == 42)
            #expect(label == "seat")
            #expect(try rows[0].decode(String.self, column: "label") == "seat")
        }
    }

    @Test func executeReportsAffectedRowsOfTheConditionalHold() async throws {
        try await withTestConnection("hold") { connection in
            _ = try await connection.simpleQuery("""
                CREATE TABLE seats (id bigint PRIMARY KEY, status text NOT NULL, held_by text, version int NOT NULL DEFAULT 0);
                INSERT INTO seats (id, status) SELECT g, 'available' FROM generate_series(1, 3) g;
                """)
            let hold = "UPDATE seats SET status = 'held', held_by = $1, version = version + 1 WHERE id = $2 AND status = 'available'"
            #expect(try await connection.execute(hold, ["alice", 2]) == 1)
            #expect(try await connection.execute(hold, ["bob", 2]) == 0)
            let holder = try await connection.query("SELECT held_by FROM seats WHERE id = $1", [2])
            #expect(try holder[0].decode(String.self, column: 0) == "alice")
        }
    }

    @Test func serverErrorsKeepSQLStateMessageAndDetail() async throws {
        try await withTestConnection("errors") { connection in
            _ = try await connection.simpleQuery("CREATE TABLE t (id int PRIMARY KEY)")
            _ = try await connection.execute("INSERT INTO t VALUES ($1)", [1])
            let error = await #expect(throws: PostgresError.self) {
                _ = try await connection.execute("INSERT INTO t VALUES ($1)", [1])
            }
            #expect(error?.code == .server)
            #expect(error?.sqlState == "23505")
            #expect(error?.constraint == "t_pkey")
            #expect(error?.detail?.contains("(id)=(1)") == true)
            let syntax = await #expect(throws: PostgresError.self) { _ = try await connection.query("SELEC 1") }
            #expect(syntax?.sqlState == "42601")
            // The connection stays usable after errors, and the failed statement is not cached.
            #expect(try await connection.query("SELECT 1")[0].decode(Int.self, column: 0) == 1)
            #expect(connection.transactionState == .idle)
        }
    }

    @Test func batchRunsInOneImplicitTransaction() async throws {
        try await withTestConnection("batch") { connection in
            _ = try await connection.simpleQuery("CREATE TABLE t (id int PRIMARY KEY)")
            let results = try await connection.batch([
                PostgresStatement("INSERT INTO t VALUES ($1)", [1]),
                PostgresStatement("INSERT INTO t VALUES ($1)", [2]),
                PostgresStatement("SELECT count(*) FROM t"),
            ])
            #expect(results.map(\.affectedRows) == [1, 1, 1])
            #expect(try results[2].rows[0].decode(Int.self, column: 0) == 2)
            let error = await #expect(throws: PostgresError.self) {
                _ = try await connection.batch([
                    PostgresStatement("INSERT INTO t VALUES ($1)", [3]),
                    PostgresStatement("INSERT INTO t VALUES ($1)", [1]),
                    PostgresStatement("INSERT INTO t VALUES ($1)", [4]),
                ])
            }
            #expect(error?.sqlState == "23505")
            let count = try await connection.query("SELECT count(*) FROM t")
            #expect(try count[0].decode(Int.self, column: 0) == 2, "the failed batch left nothing behind")
        }
    }

    @Test func concurrentCallsOnOneConnectionArePipelinedIndependently() async throws {
        try await withTestConnection("pipelined") { connection in
            let outcomes = try await withThrowingTaskGroup(of: (Int, Int?).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        if index % 10 == 7 {
                            // Every tenth call fails; its neighbours in the same pipeline must not.
                            let failed = (try? await connection.query("SELECT 1 / $1::int", [0])) == nil
                            return (index, failed ? nil : -1)
                        }
                        let rows = try await connection.query("SELECT $1::int * 2", [index])
                        return (index, try rows[0].decode(Int.self, column: 0))
                    }
                }
                var outcomes: [Int: Int?] = [:]
                for try await (index, value) in group { outcomes[index] = value }
                return outcomes
            }
            #expect(outcomes.count == 200)
            for (index, value) in outcomes {
                #expect(value == (index % 10 == 7 ? nil : index * 2))
            }
        }
    }

    @Test func simpleQueryRunsSeveralStatements() async throws {
        try await withTestConnection("simple") { connection in
            let last = try await connection.simpleQuery("CREATE TABLE a (x int); INSERT INTO a VALUES (1), (2); SELECT sum(x)::int FROM a")
            #expect(try last.rows[0].decode(Int.self, column: 0) == 3)
            // Pipeline mode is back: prepared statements still work.
            #expect(try await connection.execute("INSERT INTO a VALUES ($1)", [3]) == 1)
        }
    }
}
