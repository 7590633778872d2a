import Foundation
import Testing

/// The PostgreSQL server the test harness started, if any.
let postgresServerURL = ProcessInfo.processInfo.environment["BOXOFFICE_PG_URL"].flatMap(URLComponents.init(string:))

/// Applies `Services/Payment/Schema/*.sql` to a throwaway database on the real PostgreSQL
/// (`BOXOFFICE_PG_URL`, as Scripts/test.sh exports it) with `psql`, and checks that the constraints
/// guarding money hold. The database is created with a random name and dropped afterwards.
@Suite("Payment: SQL schema on PostgreSQL", .enabled(if: postgresServerURL != nil, "needs BOXOFFICE_PG_URL"))
struct PaymentSchemaTests {

    static var schemaFiles: [URL] {
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Services/Payment/Schema").standardized
        let names = (try? FileManager.default.contentsOfDirectory(atPath: schema.path)) ?? []
        return names.filter { $0.hasSuffix(".sql") }.sorted().map { schema.appendingPathComponent($0) }
    }

    /// Runs psql against `database`; returns (exit status, stderr).
    static func psql(_ database: String, _ arguments: [String]) throws -> (Int32, String) {
        var components = try #require(postgresServerURL)
        components.path = "/" + database
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", try #require(components.string), "-v", "ON_ERROR_STOP=1", "-q", "-X"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("the migrations apply in order and the constraints refuse bad money states")
    func schemaApplies() throws {
        let files = Self.schemaFiles
        #expect(files.first?.lastPathComponent == "0001_payments.sql")
        let database = "payment_schema_check_\(UInt32.random(in: 0...UInt32.max))"
        #expect(try Self.psql("postgres", ["-c", "CREATE DATABASE \(database)"]).0 == 0)
        defer { _ = try? Self.psql("postgres", ["-c", "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"]) }

        for file in files {
            let (status, errors) = try Self.psql(database, ["-1", "-f", file.path])
            #expect(status == 0, "\(file.lastPathComponent): \(errors)")
        }
        let insert = """
            INSERT INTO payments (id, booking_id, amount_minor, currency, status, payment_token, provider_idempotency_key, deadline)
            VALUES ('p1', 'b1', 1000, 'USD', 'PENDING', 'tok_approve', 'boxoffice-booking-b1', now() + interval '10 minutes')
            """
        #expect(try Self.psql(database, ["-c", insert]).0 == 0)

        let refused: [(String, String)] = [
            (insert.replacingOccurrences(of: "'p1'", with: "'p2'"), "payments_booking_id_key"),
            ("UPDATE payments SET status = 'CAPTURED' WHERE id = 'p1'", "payments_charge_known_once_captured"),
            ("UPDATE payments SET status = 'CAPTURED', provider_charge_id = 'ch', refunded_minor = 1001 WHERE id = 'p1'", "payments_check"),
            ("UPDATE payments SET status = 'REFUNDED', provider_charge_id = 'ch', refunded_minor = 500 WHERE id = 'p1'", "payments_refunded_means_all"),
            ("UPDATE payments SET status = 'SOLD' WHERE id = 'p1'", "payments_status_check"),
            ("UPDATE payments SET currency = 'usd' WHERE id = 'p1'", "payments_currency_check"),
            ("UPDATE payments SET amount_minor = 0 WHERE id = 'p1'", "payments_amount_minor_check"),
            ("INSERT INTO outcome_outbox (id, payment_id, booking_id, status, amount_minor, currency) VALUES ('p1/PENDING', 'p1', 'b1', 'PENDING', 1000, 'USD')",
             "outcome_outbox_status_check"),
        ]
        for (statement, constraint) in refused {
            let (status, errors) = try Self.psql(database, ["-c", statement])
            #expect(status != 0, "\(statement)")
            #expect(errors.contains(constraint), "\(statement): \(errors)")
        }

        let capture = """
            BEGIN;
            UPDATE payments SET status = 'CAPTURED', provider_charge_id = 'ch_1', version = version + 1 WHERE id = 'p1' AND version = 1;
            INSERT INTO outcome_outbox (id, payment_id, booking_id, status, amount_minor, currency) VALUES ('p1/CAPTURED', 'p1', 'b1', 'CAPTURED', 1000, 'USD');
            INSERT INTO processed_webhook_events (event_id, payment_id, event_type) VALUES ('evt_1', 'p1', 'charge.succeeded');
            INSERT INTO payment_refunds (id, payment_id, provider_refund_id, amount_minor, currency, idempotency_key) VALUES ('p1-refund-1', 'p1', 're_1', 1000, 'USD', 'k');
            UPDATE payments SET status = 'REFUNDED', refunded_minor = 1000, version = version + 1 WHERE id = 'p1' AND version = 2;
            COMMIT;
            """
        let (status, errors) = try Self.psql(database, ["-c", capture])
        #expect(status == 0, "\(errors)")
        let duplicateEvent = "INSERT INTO processed_webhook_events (event_id, payment_id, event_type) VALUES ('evt_1', 'p1', 'charge.succeeded')"
        #expect(try Self.psql(database, ["-c", duplicateEvent]).1.contains("processed_webhook_events_pkey"))
    }
}
