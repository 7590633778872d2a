public import BoxOfficePostgres
import Foundation
public import Logging

/// The payment database migrations: the `Schema/NNNN_name.sql` resources of this module, applied by
/// the shared ``PostgresMigrator`` (advisory lock, checksums, refusal of unknown versions).
public enum PaymentSchema {
    /// The migrations bundled with this module, in version order.
    /// - Throws: ``PostgresError`` `migration` when the resources are missing or unreadable.
    public static func migrations() throws -> [PostgresMigration] {
        guard let url = Bundle.module.url(forResource: "Schema", withExtension: nil) else {
            throw PostgresError(code: .migration,
                                message: "the payment Schema resources are missing from \(Bundle.module.bundlePath)")
        }
        return try PostgresMigration.load(directory: url.path)
    }

    /// Applies every migration not yet applied, on one exclusive connection of `client`.
    /// - Returns: the versions this call applied.
    @discardableResult
    public static func migrate(_ client: PostgresClient, logger: Logger = Logger(label: "boxoffice.payment.schema")) async throws -> [Int] {
        let migrator = try PostgresMigrator(migrations: migrations(), logger: logger)
        return try await client.withConnection(exclusive: true) { connection in
            try await migrator.migrate(on: connection)
        }
    }
}
