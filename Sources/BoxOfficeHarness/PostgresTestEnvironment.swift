internal import Foundation
public import BoxOfficePostgres
internal import BoxOfficeLocks

/// The PostgreSQL server tests share, and a fresh database per test so tests run in parallel.
///
/// Uses `BOXOFFICE_PG_URL` (a superuser URL) when set — CI and `Scripts/dev-servers.sh` set it;
/// otherwise starts one throwaway ``PostgresServer`` per test process on first use and asks it to
/// shut down when the process exits. Tests never stop the shared server: restart and password
/// tests start their own ``PostgresServer``.
public enum PostgresTestEnvironment {
    /// The shared server's superuser URL (database `postgres`).
    public static func sharedURL() async throws -> String {
        if let url = ProcessInfo.processInfo.environment["BOXOFFICE_PG_URL"], !url.isEmpty { return url }
        return try await sharedServer.value.url()
    }

    /// Creates a uniquely named database on the shared server, runs `body` with its configuration,
    /// and drops it afterwards (also when `body` throws).
    public static func withDatabase<Result: Sendable>(
        _ label: String = "t", _ body: (PostgresConfiguration) async throws -> Result
    ) async throws -> Result {
        let database = try await createDatabase(label)
        do {
            let result = try await body(database.configuration)
            try await database.drop()
            return result
        } catch {
            try? await database.drop()
            throw error
        }
    }

    /// Creates a uniquely named database (`<label>_<random>`) on the shared server; call ``PostgresTestDatabase/drop()``.
    public static func createDatabase(_ label: String = "t") async throws -> PostgresTestDatabase {
        let admin = try await sharedURL()
        let cleanLabel = String(label.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }.prefix(20))
        let name = "bo_\(cleanLabel)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        try await PostgresDatabases.create(name, admin: PostgresConfiguration(url: admin))
        return PostgresTestDatabase(name: name, adminURL: admin, url: try PostgresDatabases.url(admin, database: name))
    }

    private static let sharedServer = Task<PostgresServer, any Error> {
        let server = try await PostgresServer.start(.init(settings: ["fsync": "off", "synchronous_commit": "off"]))
        if let pid = server.processIdentifier {
            startedPostmaster.withLock { $0 = (pid, server.directory) }
            atexit {
                guard let (pid, directory) = PostgresTestEnvironment.startedPostmaster.withLock({ $0 }) else { return }
                // SIGQUIT is pg_ctl's immediate shutdown. Wait (at most 5 s) for the postmaster to go,
                // then remove the throwaway data folder.
                kill(pid, SIGQUIT)
                for _ in 0..<100 where kill(pid, 0) == 0 { usleep(50_000) }
                if kill(pid, 0) != 0 { try? FileManager.default.removeItem(atPath: directory) }
            }
        }
        return server
    }

    private static let startedPostmaster = AnnotatedMutex<(Int32, String)?>(nil)
}

/// A database created for one test.
public struct PostgresTestDatabase: Sendable {
    /// The database name.
    public let name: String
    let adminURL: String
    /// The URL of this database.
    public let url: String

    /// The configuration for connecting to this database.
    public var configuration: PostgresConfiguration { PostgresConfiguration(url: url) }

    /// Drops the database, disconnecting any session still in it.
    public func drop() async throws {
        try await PostgresDatabases.drop(name, admin: PostgresConfiguration(url: adminURL))
    }
}
