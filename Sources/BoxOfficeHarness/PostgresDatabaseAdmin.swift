import BoxOfficePostgres
import Logging

/// Creates service databases on any PostgreSQL server given by a superuser URL (the shared test
/// server, a cluster's own, or one the user runs). Used by `boxoffice cluster up`.
public enum PostgresDatabaseAdmin {
    /// Creates database `name` (`[a-z0-9_]`, at most 63) unless it exists; returns its URL
    /// (`adminURL` with the database replaced). Racing creators are fine: one wins, the others see it exist.
    /// - Throws: ``PostgresHarnessError`` for a bad name or URL, `PostgresError` when the server refuses.
    public static func ensureDatabase(_ name: String, adminURL: String) async throws -> String {
        try PostgresDatabases.validate(name)
        let url = try PostgresDatabases.url(adminURL, database: name)
        let connection = try await PostgresConnection.connect(
            configuration: PostgresConfiguration(url: adminURL), logger: Logger(label: "boxoffice.harness.postgres"))
        do {
            let existing = try await connection.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])
            if existing.isEmpty {
                do {
                    _ = try await connection.simpleQuery("CREATE DATABASE \"\(name)\"")
                } catch let error as PostgresError where error.sqlState == "42P04" {
                    // duplicate_database: a concurrent creator won.
                }
            }
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        return url
    }

    /// `url` with its database (path) replaced by `database`.
    public static func url(_ url: String, database: String) throws -> String {
        try PostgresDatabases.url(url, database: database)
    }
}

extension PostgresDatabaseAdmin {
    /// Drops database `name` if it exists, disconnecting its sessions first.
    public static func dropDatabase(_ name: String, adminURL: String) async throws {
        try await PostgresDatabases.drop(name, admin: PostgresConfiguration(url: adminURL))
    }
}
