import BoxOfficeHarness
import BoxOfficePostgres
import Foundation
import Testing

@Suite("PostgreSQL harness")
struct HarnessTests {
    @Test func startingInARunningServersFolderReusesIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bo-pg-harness-\(UUID().uuidString.prefix(8))").path
        let first = try await PostgresServer.start(.init(directory: directory, settings: ["fsync": "off"]))
        do {
            let again = try await PostgresServer.start(.init(directory: directory))
            #expect(again.port == first.port)
            let database = try await again.createDatabase("harness_reuse")
            let connection = try await PostgresConnection.connect(configuration: database, logger: testLogger)
            #expect(try await connection.query("SELECT current_database()")[0].decode(String.self, column: 0) == "harness_reuse")
            await connection.close()
            try await again.dropDatabase("harness_reuse")
            await #expect(throws: PostgresHarnessError.self) { try await first.dropDatabase("bad-name; DROP") }
        } catch {
            try? await first.stop(mode: .immediate)
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        try await first.stop(mode: .immediate)
        try FileManager.default.removeItem(atPath: directory)
    }
}
