import Foundation
public import BoxOfficePostgres

/// The inventory database migrations: `Schema/NNNN_name.sql`, applied in version order, each once.
///
/// Until the shared migrations runner lands, this applies them itself and records versions in
/// `inventory_schema_migrations`. The files are read from disk (the target excludes `Schema/`),
/// by default from the source tree.
public enum InventorySchema {
    /// `Services/Inventory/Schema` in the source tree this module was built from.
    public static var defaultDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Schema").path
    }

    /// The migrations in `directory`, by version.
    public static func migrations(in directory: String = defaultDirectory) throws -> [(version: Int, sql: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }
        return try names.compactMap { name -> (Int, String)? in
            guard let version = Int(name.prefix { $0.isNumber }) else { return nil }
            return (version, try String(contentsOfFile: directory + "/" + name, encoding: .utf8))
        }.sorted { $0.0 < $1.0 }
    }

    /// Applies every migration not yet applied, each in its own transaction, under an advisory
    /// lock so concurrent starts apply each one once.
    public static func migrate(_ client: PostgresClient, directory: String = defaultDirectory) async throws {
        let files = try migrations(in: directory)
        try await client.withConnection { connection in
            _ = try await connection.simpleQuery("""
                SELECT pg_advisory_lock(4242001);
                CREATE TABLE IF NOT EXISTS inventory_schema_migrations (
                    version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """)
            do {
                let applied = Set(try await connection.query("SELECT version FROM inventory_schema_migrations")
                    .map { try $0.decode(Int32.self, column: 0) }.map(Int.init))
                for (version, sql) in files where !applied.contains(version) {
                    _ = try await connection.simpleQuery(
                        "BEGIN;\n\(sql)\n;INSERT INTO inventory_schema_migrations (version) VALUES (\(version));COMMIT;")
                }
            } catch {
                _ = try? await connection.simpleQuery("ROLLBACK; SELECT pg_advisory_unlock(4242001)")
                throw error
            }
            _ = try await connection.simpleQuery("SELECT pg_advisory_unlock(4242001)")
        }
    }
}
