import Foundation
public import BoxOfficePostgres
public import Logging

/// The booking database migrations: `Schema/NNNN_name.sql`, bundled as a resource and applied by
/// the shared ``PostgresMigrator`` (advisory lock, checksums).
public enum BookingSchema {
    /// The migrations shipped with this module.
    public static func migrations() throws -> [PostgresMigration] {
        guard let directory = Bundle.module.url(forResource: "Schema", withExtension: nil) else {
            throw PostgresError(code: .migration, message: "the booking Schema resource is missing from the bundle")
        }
        return try PostgresMigration.load(directory: directory.path)
    }

    /// Applies every migration not yet applied, on one exclusive connection of `client`.
    public static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        let migrator = try PostgresMigrator(migrations: migrations(), logger: logger)
        try await client.withConnection(exclusive: true) { connection in
            _ = try await migrator.migrate(on: connection)
        }
    }
}
