import Foundation

/// One versioned schema change: `0001_create_seats.sql` is version 1, name `create_seats`.
public struct PostgresMigration: Sendable, Hashable {
    /// Applied in ascending order; unique within a service.
    public var version: Int
    /// A short description, from the file name.
    public var name: String
    /// The SQL, run with the simple query protocol (several statements allowed) inside one transaction.
    public var sql: String

    /// Creates a migration from Swift-embedded SQL.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// FNV-1a 64-bit of the SQL text, as 16 hex digits: detects a migration edited after it was applied.
    public var checksum: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Reads every `<digits>_<name>.sql` file in `directory` (other files are ignored), sorted by version.
    /// - Throws: ``PostgresError`` `migration` for two files with one version or an unreadable folder.
    public static func load(directory: String) throws -> [PostgresMigration] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw PostgresError(code: .migration, message: "cannot read migrations folder \(directory): \(error)")
        }
        var migrations: [PostgresMigration] = []
        for file in files where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else { continue }
            let path = (directory as NSString).appendingPathComponent(file)
            guard let sql = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw PostgresError(code: .migration, message: "cannot read migration \(path)")
            }
            migrations.append(PostgresMigration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        try validate(migrations)
        return migrations.sorted { $0.version < $1.version }
    }

    static func validate(_ migrations: [PostgresMigration]) throws(PostgresError) {
        var seen: [Int: String] = [:]
        for migration in migrations {
            if let other = seen[migration.version] {
                throw PostgresError(code: .migration, message: "migrations \(other) and \(migration.name) share version \(migration.version)")
            }
            seen[migration.version] = migration.name
        }
    }
}
