import Foundation
public import BoxOfficePostgres
public import Logging

/// The inventory database migrations: `Schema/NNNN_name.sql`, applied by the shared
/// ``PostgresMigrator`` (advisory lock, `schema_migrations` with checksums, refusal of unknown
/// versions). The files are read from disk (the target excludes `Schema/`), by default from the
/// source tree.
public enum InventorySchema {
    /// `Services/Inventory/Schema` in the source tree this module was built from.
    public static var defaultDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Schema").path
    }

    /// Applies every migration not yet applied on one exclusive connection of `client`.
    public static func migrate(_ client: PostgresClient, directory: String = defaultDirectory,
                               logger: Logger = Logger(label: "boxoffice.inventory.schema")) async throws {
        let migrator = try PostgresMigrator(migrations: PostgresMigration.load(directory: directory), logger: logger)
        try await client.withConnection(exclusive: true) { connection in
            _ = try await migrator.migrate(on: connection)
        }
    }
}
