import Foundation
public import BoxOfficePostgres
public import Logging

/// The inventory database migrations: `Schema/NNNN_name.sql`, shipped as a SwiftPM resource of
/// this module and applied by the shared ``PostgresMigrator`` (advisory lock, `schema_migrations`
/// with checksums, refusal of unknown versions).
public enum InventorySchema {
    /// The `Schema` folder inside this module's resource bundle.
    ///
    /// - Throws: when the bundle was installed without its resources.
    public static func resourceDirectory() throws -> String {
        guard let url = Bundle.module.url(forResource: "Schema", withExtension: nil) else {
            throw InventoryError.internalError("the inventory Schema resources are missing from \(Bundle.module.bundlePath)")
        }
        return url.path
    }

    /// Applies every migration not yet applied on one exclusive connection of `client`.
    ///
    /// - Parameter directory: Where the `.sql` files are; the module's resources when `nil`.
    public static func migrate(_ client: PostgresClient, directory: String? = nil,
                               logger: Logger = Logger(label: "boxoffice.inventory.schema")) async throws {
        let migrations = try PostgresMigration.load(directory: directory ?? resourceDirectory())
        let migrator = try PostgresMigrator(migrations: migrations, logger: logger)
        try await client.withConnection(exclusive: true) { connection in
            _ = try await migrator.migrate(on: connection)
        }
    }
}
