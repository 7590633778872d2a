public import Foundation
public import BoxOfficePostgres

/// The booking database: bookings with their sagas, the step history, idempotency records and the
/// payment notifications already applied.
///
/// Every saga write is conditional on the version it read (``save(_:expectedVersion:event:)``), so two
/// processes (or two tasks) never both act on one transition. Safe to use from many tasks at once.
public struct BookingStore: Sendable {
    /// The pool the store queries.
    public let client: PostgresClient

    /// Creates a store over `client`; run ``BookingSchema/migrate(_:logger:)`` first.
    public init(client: PostgresClient) {
        self.client = client
    }

    /// What ``create(_:claim:)`` did.
    public enum CreateOutcome: Sendable, Hashable {
        /// The booking and its idempotency record were written.
        case created
        /// The idempotency key was already used; nothing was written. The stored record says for what.
        case keyAlreadyUsed(IdempotencyRecord)
    }

    /// Inserts a new booking together with the idempotency record of the request that creates it,
    /// in one transaction: either both exist afterwards or neither does.
    public func create(_ record: BookingRecord, claim: IdempotencyRecord) async throws -> CreateOutcome {
        let row = try BookingRow(record)
        return try await client.transaction { transaction in
            let claimed = try await transaction.execute(
                """
                INSERT INTO idempotency_records (user_id, operation, key, fingerprint, booking_id, created_at)
                VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT DO NOTHING
                """,
                [claim.userId, claim.operation.rawValue, claim.key, claim.fingerprint, claim.bookingId])
            guard claimed == 1 else {
                let existing = try await Self.idempotencyRecord(
                    in: transaction, userId: claim.userId, operation: claim.operation, key: claim.key)
                guard let existing else {
                    throw PostgresError(code: .server, message: "idempotency record vanished while it was being claimed")
                }
                return .keyAlreadyUsed(existing)
            }
            _ = try await transaction.execute(
                """
                INSERT INTO bookings (id, user_id, event_id, selection_kind, quantity, ga_pool_code, step, status,
                    terminal, version, wake_up_at, hold_id, amount_minor, currency, expires_at, seats, payment_id,
                    payment_outcome, failure_reason, saga, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb, $17, $18, $19,
                    $20::jsonb, $21, $22)
                """,
                row.insertBindings)
            _ = try await transaction.execute(
                "INSERT INTO saga_steps (booking_id, version, step, event, recorded_at) VALUES ($1, $2, $3, 'start', $4)",
                [row.id, row.version, row.step, row.updatedAt])
            return .created
        }
    }

    /// The booking with this id, or nil.
    public func load(_ bookingId: String) async throws -> BookingRecord? {
        let rows = try await client.query("SELECT saga, seats, payment_id FROM bookings WHERE id = $1", [bookingId])
        guard let row = rows.first else { return nil }
        return try BookingRow.record(from: row)
    }

    /// Writes `record` if the stored version is still `expectedVersion`, with one step-history row
    /// naming `event`. Returns false (and writes nothing) when another writer got there first.
    public func save(_ record: BookingRecord, expectedVersion: Int64, event: String) async throws -> Bool {
        let row = try BookingRow(record)
        // A change of the side columns alone (seats, payment id) keeps the version: its history row
        // already exists, hence ON CONFLICT; the UPDATE's own count decides who won.
        let rows = try await client.query(
            """
            WITH updated AS (
                UPDATE bookings SET step = $2, status = $3, terminal = $4, version = $5, wake_up_at = $6, hold_id = $7,
                    amount_minor = $8, currency = $9, expires_at = $10, seats = $11::jsonb, payment_id = $12,
                    payment_outcome = $13, failure_reason = $14, saga = $15::jsonb, updated_at = $16
                WHERE id = $1 AND version = $17
                RETURNING id
            ), history AS (
                INSERT INTO saga_steps (booking_id, version, step, event, recorded_at)
                SELECT id, $5, $2, $18, $16 FROM updated
                ON CONFLICT DO NOTHING
            )
            SELECT count(*) FROM updated
            """,
            row.updateBindings + [expectedVersion, event])
        return try rows.first?.decode(Int64.self, column: 0) == 1
    }

    /// One page of a user's bookings, oldest first; `eventId` 0 means every event. `after` is the
    /// last id of the previous page.
    public func list(userId: String, eventId: Int64, limit: Int, after: String?) async throws -> [BookingRecord] {
        let rows = try await client.query(
            """
            SELECT saga, seats, payment_id FROM bookings
            WHERE user_id = $1 AND ($2 = 0 OR event_id = $2) AND status IS NOT NULL AND id > $3
            ORDER BY id LIMIT $4
            """,
            [userId, eventId, after ?? "", limit])
        return try rows.map(BookingRow.record(from:))
    }

    /// Ids of non-terminal sagas whose wake-up time is at or before `now` (all non-terminal ones
    /// when `now` is nil), most overdue first.
    public func dueSagas(at now: Date?, limit: Int) async throws -> [String] {
        let rows = try await client.query(
            """
            SELECT id FROM bookings
            WHERE NOT terminal AND ($1::timestamptz IS NULL OR wake_up_at IS NULL OR wake_up_at <= $1::timestamptz)
            ORDER BY wake_up_at NULLS FIRST LIMIT $2
            """,
            [now, limit])
        return try rows.map { try $0.decode(String.self, column: 0) }
    }

    /// The steps recorded for a booking, oldest first: `(version, step, event)`.
    public func history(of bookingId: String) async throws -> [(version: Int64, step: String, event: String)] {
        let rows = try await client.query(
            "SELECT version, step, event FROM saga_steps WHERE booking_id = $1 ORDER BY version", [bookingId])
        return try rows.map { row in
            (try row.decode(Int64.self, column: 0), try row.decode(String.self, column: 1),
             try row.decode(String.self, column: 2))
        }
    }

    // MARK: Idempotency records

    /// Records `claim` unless the key is taken; returns the existing record when it is.
    public func claim(_ claim: IdempotencyRecord) async throws -> IdempotencyRecord? {
        let claimed = try await client.execute(
            """
            INSERT INTO idempotency_records (user_id, operation, key, fingerprint, booking_id, created_at)
            VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT DO NOTHING
            """,
            [claim.userId, claim.operation.rawValue, claim.key, claim.fingerprint, claim.bookingId])
        if claimed == 1 { return nil }
        return try await idempotencyRecord(userId: claim.userId, operation: claim.operation, key: claim.key)
    }

    /// The record of a key, or nil.
    public func idempotencyRecord(userId: String, operation: IdempotencyRecord.Operation, key: String)
        async throws -> IdempotencyRecord?
    {
        try await client.transaction { transaction in
            try await Self.idempotencyRecord(in: transaction, userId: userId, operation: operation, key: key)
        }
    }

    /// Stores the answer of a key's request; the first stored answer stays.
    public func storeResponse(_ response: [UInt8], userId: String, operation: IdempotencyRecord.Operation,
                              key: String) async throws {
        _ = try await client.execute(
            """
            UPDATE idempotency_records SET response = $4
            WHERE user_id = $1 AND operation = $2 AND key = $3 AND response IS NULL
            """,
            [userId, operation.rawValue, key, response])
    }

    private static func idempotencyRecord(in transaction: PostgresTransaction, userId: String,
                                          operation: IdempotencyRecord.Operation, key: String)
        async throws -> IdempotencyRecord?
    {
        let rows = try await transaction.query(
            """
            SELECT fingerprint, booking_id, response FROM idempotency_records
            WHERE user_id = $1 AND operation = $2 AND key = $3
            """,
            [userId, operation.rawValue, key])
        guard let row = rows.first else { return nil }
        return IdempotencyRecord(
            userId: userId, operation: operation, key: key, fingerprint: try row.decode(String.self, column: 0),
            bookingId: try row.decode(String.self, column: 1), response: try row.decode([UInt8]?.self, column: 2))
    }

    // MARK: Payment notifications

    /// Whether a payment notification with this id was applied before.
    public func hasNotification(id: String) async throws -> Bool {
        try await !client.query("SELECT 1 FROM payment_notifications WHERE id = $1", [id]).isEmpty
    }

    /// Records a payment notification id; false when it was recorded before (a redelivery).
    public func recordNotification(id: String, bookingId: String, outcome: String) async throws -> Bool {
        try await client.execute(
            """
            INSERT INTO payment_notifications (id, booking_id, outcome, received_at) VALUES ($1, $2, $3, now())
            ON CONFLICT DO NOTHING
            """,
            [id, bookingId, outcome]) == 1
    }
}
