import BoxOfficeHarness
import BoxOfficePostgres
import Logging
import Synchronization

let testLogger = Logger(label: "boxoffice.postgres.tests")

/// Runs `body` with a pool on a fresh database of the shared server; shuts the pool down and drops the database after.
func withTestClient<Result: Sendable>(
    _ label: String = "t", options: PostgresPoolOptions = .init(maximumConnections: 4, acquireTimeout: .seconds(10)),
    _ body: (PostgresClient) async throws -> Result
) async throws -> Result {
    try await PostgresTestEnvironment.withDatabase(label) { configuration in
        let client = PostgresClient(configuration: configuration, options: options, logger: testLogger)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }
}

/// Runs `body` with one connection to a fresh database of the shared server.
func withTestConnection<Result: Sendable>(
    _ label: String = "t", _ body: (PostgresConnection) async throws -> Result
) async throws -> Result {
    try await PostgresTestEnvironment.withDatabase(label) { configuration in
        let connection = try await PostgresConnection.connect(configuration: configuration, logger: testLogger)
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }
}

/// The shared server's `postgres` database, for tests that create nothing.
enum PostgresTestEnvironmentProxy {
    static func sharedConfiguration() async throws -> PostgresConfiguration {
        PostgresConfiguration(url: try await PostgresTestEnvironment.sharedURL())
    }
}

/// A thread-safe counter tasks can share.
final class Counter: Sendable {
    private let count = Mutex(0)
    /// Adds one and returns the new value.
    @discardableResult
    func increment() -> Int { count.withLock { $0 += 1; return $0 } }
    var value: Int { count.withLock { $0 } }
}
