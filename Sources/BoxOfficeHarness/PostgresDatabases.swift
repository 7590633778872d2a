internal import Foundation
import BoxOfficePostgres
import Logging

/// Creates and drops databases through an admin connection.
///
/// Database names cannot be `$n` parameters, so they are restricted to `[a-z0-9_]` and quoted.
enum PostgresDatabases {
    static func validate(_ name: String) throws {
        let allowed = name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
        guard allowed, !name.isEmpty, name.utf8.count <= 63 else {
            throw PostgresHarnessError(message: "database name \(name) must be 1-63 of [a-z0-9_]")
        }
    }

    static func create(_ name: String, admin: PostgresConfiguration) async throws {
        try validate(name)
        try await withAdmin(admin) { _ = try await $0.simpleQuery("CREATE DATABASE \"\(name)\"") }
    }

    static func drop(_ name: String, admin: PostgresConfiguration) async throws {
        try validate(name)
        try await withAdmin(admin) { _ = try await $0.simpleQuery("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)") }
    }

    private static func withAdmin(_ admin: PostgresConfiguration, _ body: (PostgresConnection) async throws -> Void) async throws {
        let connection = try await PostgresConnection.connect(configuration: admin, logger: Logger(label: "boxoffice.harness.postgres"))
        do {
            try await body(connection)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }

    /// The same connection URL with the database (path) replaced.
    static func url(_ url: String, database: String) throws -> String {
        guard var components = URLComponents(string: url), components.scheme?.hasPrefix("postgres") == true else {
            throw PostgresHarnessError(message: "not a postgresql:// URL: \(url)")
        }
        components.path = "/" + database
        guard let replaced = components.string else { throw PostgresHarnessError(message: "cannot rebuild URL \(url)") }
        return replaced
    }
}
