public import Logging

/// Brings a database's schema up to date with a service's migrations.
///
/// Holds a session advisory lock while it works, so service instances starting at once apply each
/// migration exactly once. Applied migrations are recorded in `schema_migrations` (version, name,
/// checksum, applied_at); each is applied in its own transaction together with its record. It refuses
/// (``PostgresError/Code/migration``) when the database holds a version this binary does not know or
/// one whose checksum differs: the binary is older than the schema, or a migration was edited.
/// Statements that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`) are not supported.
public struct PostgresMigrator: Sendable {
    /// The advisory lock key all BoxOffice migrators take (per database).
    public static let advisoryLockKey: Int64 = 0x426f_784f_6666_6963  // "BoxOffic"

    /// The migrations this binary knows, in version order.
    public let migrations: [PostgresMigration]
    let logger: Logger

    /// Creates a migrator.
    /// - Throws: ``PostgresError`` `migration` when two migrations share a version.
    public init(migrations: [PostgresMigration], logger: Logger) throws {
        try PostgresMigration.validate(migrations)
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// Opens a dedicated connection, applies what is missing and closes it.
    /// - Returns: the versions applied by this call (empty when already up to date).
    @discardableResult
    public func migrate(configuration: PostgresConfiguration) async throws -> [Int] {
        let connection = try await PostgresConnection.connect(configuration: configuration, logger: logger)
        do {
            let applied = try await migrate(on: connection)
            await connection.close()
            return applied
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Applies what is missing on `connection`, which no one else may use meanwhile.
    @discardableResult
    public func migrate(on connection: PostgresConnection) async throws -> [Int] {
        _ = try await connection.query("SELECT pg_advisory_lock($1)", [Self.advisoryLockKey])
        do {
            let applied = try await applyMissing(on: connection)
            _ = try await connection.query("SELECT pg_advisory_unlock($1)", [Self.advisoryLockKey])
            return applied
        } catch {
            if !connection.isClosed { _ = try? await connection.query("SELECT pg_advisory_unlock($1)", [Self.advisoryLockKey]) }
            throw error
        }
    }

    private func applyMissing(on connection: PostgresConnection) async throws -> [Int] {
        _ = try await connection.simpleQuery("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version bigint PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """)
        let rows = try await connection.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        var appliedVersions = Set<Int>()
        for row in rows {
            let (version, name, checksum) = try row.decode((Int, String, String).self)
            guard let migration = known[version] else {
                throw PostgresError(code: .migration, message:
                    "database has migration \(version) (\(name)) that this binary does not know; refusing to start")
            }
            guard migration.checksum == checksum else {
                throw PostgresError(code: .migration, message:
                    "migration \(version) (\(name)) was changed after it was applied (checksum \(checksum), now \(migration.checksum))")
            }
            appliedVersions.insert(version)
        }
        var newlyApplied: [Int] = []
        for migration in migrations where !appliedVersions.contains(migration.version) {
            try await apply(migration, on: connection)
            newlyApplied.append(migration.version)
        }
        return newlyApplied
    }

    private func apply(_ migration: PostgresMigration, on connection: PostgresConnection) async throws {
        logger.info("applying migration", metadata: ["postgres.migration.version": "\(migration.version)", "postgres.migration.name": "\(migration.name)"])
        _ = try await connection.simpleQuery("BEGIN")
        do {
            _ = try await connection.simpleQuery(migration.sql)
            _ = try await connection.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                [migration.version, migration.name, migration.checksum])
            _ = try await connection.simpleQuery("COMMIT")
        } catch let error as PostgresError {
            if !connection.isClosed { _ = try? await connection.simpleQuery("ROLLBACK") }
            var failure = error
            failure.message = "migration \(migration.version) (\(migration.name)) failed: \(error.message)"
            throw failure
        }
    }
}
