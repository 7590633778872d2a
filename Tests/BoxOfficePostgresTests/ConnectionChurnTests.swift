import BoxOfficeHarness
import BoxOfficePostgres
import Testing

/// Opens and closes many connections, pools, listeners and failed connects. Benchmarks/postgres/leak-check.sh
/// runs this suite under AddressSanitizer, whose LeakSanitizer fails the run if any handle, result or
/// buffer is not freed; without the sanitizer it checks that churn leaves no connection behind.
@Suite("Connection churn")
struct ConnectionChurnTests {
    @Test func openCloseQueryFailRepeatedly() async throws {
        try await PostgresTestEnvironment.withDatabase("churn") { configuration in
            let backendsBefore = try await Self.backendCount(configuration)
            for round in 0..<20 {
                let connection = try await PostgresConnection.connect(configuration: configuration, logger: testLogger)
                let rows = try await connection.query("SELECT $1::int, repeat('x', 1000), ARRAY[1,2,3]::int8[]", [round])
                #expect(try rows[0].decode(Int.self, column: 0) == round)
                _ = try? await connection.query("SELECT 1 / 0")
                _ = try await connection.batch([PostgresStatement("SELECT 1"), PostgresStatement("SELECT 2")])
                _ = try await connection.simpleQuery("SELECT 1; SELECT 2")
                await connection.close()
                await connection.close()
            }
            for _ in 0..<5 {
                let db = PostgresClient(configuration: configuration, options: .init(maximumConnections: 3), logger: testLogger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for value in 0..<30 { group.addTask { _ = try await db.query("SELECT $1::int", [value]) } }
                    try await group.waitForAll()
                }
                _ = try await db.transaction { try await $0.execute("SELECT 1") }
                await db.shutdown()
            }
            for _ in 0..<5 {
                let listener = try await PostgresListener.listen(configuration: configuration, channels: ["churn"], logger: testLogger)
                await listener.close()
            }
            for _ in 0..<5 {
                // A refused connection frees its handle too.
                let refused = PostgresConfiguration(url: "postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2")
                await #expect(throws: PostgresError.self) {
                    _ = try await PostgresConnection.connect(configuration: refused, logger: testLogger)
                }
            }
            #expect(try await Self.backendCount(configuration) == backendsBefore, "every connection was closed")
        }
    }

    /// Sessions connected to this test's database, counted from a fresh connection (which it excludes).
    static func backendCount(_ configuration: PostgresConfiguration) async throws -> Int {
        let probe = try await PostgresConnection.connect(configuration: configuration, logger: testLogger)
        // Closed backends may take a moment to leave pg_stat_activity; poll briefly (bounded).
        var count = 0
        for attempt in 0..<50 {
            count = try await probe.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )[0].decode(Int.self, column: 0)
            if count == 0 || attempt == 49 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        await probe.close()
        return count
    }
}
