import BoxOfficePostgres
import Foundation
import Testing

@Suite("Migrations against a real server")
struct MigrationTests {
    static let v1 = PostgresMigration(version: 1, name: "create_seats", sql: """
        CREATE TABLE seats (id bigint PRIMARY KEY, status text NOT NULL DEFAULT 'available');
        CREATE INDEX seats_status ON seats (status);
        """)
    static let v2 = PostgresMigration(version: 2, name: "add_version", sql: "ALTER TABLE seats ADD COLUMN version int NOT NULL DEFAULT 0;")

    @Test func appliesMissingMigrationsInOrderOnce() async throws {
        try await withTestClient("migrate") { db in
            let first = try PostgresMigrator(migrations: [Self.v1], logger: testLogger)
            #expect(try await first.migrate(configuration: db.configuration) == [1])
            let second = try PostgresMigrator(migrations: [Self.v2, Self.v1], logger: testLogger)
            #expect(try await second.migrate(configuration: db.configuration) == [2])
            #expect(try await second.migrate(configuration: db.configuration) == [])
            let recorded = try await db.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
            #expect(try recorded.map { try $0.decode((Int, String, String).self).0 } == [1, 2])
            #expect(try recorded[1].decode(String.self, column: "checksum") == Self.v2.checksum)
            #expect(try await db.execute("INSERT INTO seats (id) VALUES ($1)", [1]) == 1)
        }
    }

    @Test func refusesUnknownAndChangedMigrations() async throws {
        try await withTestClient("refuse") { db in
            try await PostgresMigrator(migrations: [Self.v1, Self.v2], logger: testLogger).migrate(configuration: db.configuration)
            let older = try PostgresMigrator(migrations: [Self.v1], logger: testLogger)
            let unknown = await #expect(throws: PostgresError.self) { try await older.migrate(configuration: db.configuration) }
            #expect(unknown?.code == .migration)
            #expect(unknown?.message.contains("does not know") == true)
            var edited = Self.v2
            edited.sql += " -- edited"
            let changed = await #expect(throws: PostgresError.self) {
                try await PostgresMigrator(migrations: [Self.v1, edited], logger: testLogger).migrate(configuration: db.configuration)
            }
            #expect(changed?.message.contains("changed") == true)
        }
    }

    @Test func failedMigrationLeavesNothingBehind() async throws {
        try await withTestClient("broken") { db in
            let broken = PostgresMigration(version: 2, name: "broken", sql: "CREATE TABLE half (id int); SELECT * FROM missing_table;")
            let error = await #expect(throws: PostgresError.self) {
                try await PostgresMigrator(migrations: [Self.v1, broken], logger: testLogger).migrate(configuration: db.configuration)
            }
            #expect(error?.sqlState == "42P01")
            #expect(error?.message.contains("migration 2 (broken)") == true)
            let versions = try await db.query("SELECT version FROM schema_migrations").map { try $0.decode(Int.self, column: 0) }
            #expect(versions == [1])
            let half = try await db.query("SELECT to_regclass('half') IS NULL")
            #expect(try half[0].decode(Bool.self, column: 0))
        }
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
        try await withTestClient("concurrent") { db in
            let slow = PostgresMigration(version: 3, name: "slow", sql: "SELECT pg_sleep(0.2); CREATE TABLE slow_done (id int);")
            let migrator = try PostgresMigrator(migrations: [Self.v1, Self.v2, slow], logger: testLogger)
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 { group.addTask { try await migrator.migrate(configuration: db.configuration) } }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
            #expect(applied.sorted() == [1, 2, 3], "every migration applied by exactly one of the four")
        }
    }

    @Test func loadsVersionedFilesFromAFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "CREATE TABLE b (id int);".write(toFile: folder + "/0002_create_b.sql", atomically: true, encoding: .utf8)
        try "CREATE TABLE a (id int);".write(toFile: folder + "/0001_create_a.sql", atomically: true, encoding: .utf8)
        try "not a migration".write(toFile: folder + "/README.md", atomically: true, encoding: .utf8)
        let migrations = try PostgresMigration.load(directory: folder)
        #expect(migrations.map(\.version) == [1, 2])
        #expect(migrations.map(\.name) == ["create_a", "create_b"])
        try "CREATE TABLE c (id int);".write(toFile: folder + "/0002_create_c.sql", atomically: true, encoding: .utf8)
        #expect(throws: PostgresError.self) { try PostgresMigration.load(directory: folder) }
    }
}
