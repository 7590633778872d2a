public import Foundation
import BoxOfficePostgres

/// A ``BookingRecord`` flattened into the `bookings` columns (the saga JSON plus its indexed copies).
struct BookingRow {
    var id: String
    var userId: String
    var eventId: Int64
    var selectionKind: String
    var quantity: Int32
    var gaPoolCode: String
    var step: String
    var status: String?
    var terminal: Bool
    var version: Int64
    var wakeUpAt: Date?
    var holdId: String?
    var amountMinor: Int64?
    var currency: String?
    var expiresAt: Date?
    var seatsJSON: String
    var paymentId: String
    var paymentOutcome: String?
    var failureReason: String
    var sagaJSON: String
    var createdAt: Date
    var updatedAt: Date

    init(_ record: BookingRecord) throws {
        let saga = record.saga
        id = saga.bookingId
        userId = saga.userId
        eventId = saga.eventId
        switch saga.selection {
        case .specificSeats(let ids):
            (selectionKind, quantity, gaPoolCode) = ("specific", Int32(ids.count), "")
        case .bestAvailable(let count, _, _):
            (selectionKind, quantity, gaPoolCode) = ("best_available", count, "")
        case .generalAdmission(let pool, let count):
            (selectionKind, quantity, gaPoolCode) = ("general_admission", count, pool)
        }
        step = saga.step.name
        status = saga.status?.rawValue
        terminal = saga.isTerminal
        version = saga.version
        wakeUpAt = saga.isTerminal ? nil : saga.wakeUpAt?.date
        holdId = saga.hold?.holdId
        amountMinor = saga.hold?.amount.amountMinor
        currency = saga.hold?.amount.currency
        expiresAt = saga.hold?.expiresAt.date
        seatsJSON = String(decoding: try JSONEncoder().encode(record.seats), as: UTF8.self)
        paymentId = record.paymentId
        paymentOutcome = saga.paymentOutcome?.rawValue
        failureReason = saga.failureReason ?? ""
        sagaJSON = String(decoding: try JSONEncoder().encode(saga), as: UTF8.self)
        createdAt = saga.createdAt.date
        updatedAt = saga.updatedAt.date
    }

    var insertBindings: [any PostgresEncodable] {
        [id, userId, eventId, selectionKind, quantity, gaPoolCode, step, status, terminal, version, wakeUpAt, holdId,
         amountMinor, currency, expiresAt, seatsJSON, paymentId, paymentOutcome, failureReason, sagaJSON,
         createdAt, updatedAt]
    }

    /// `$1` id, then the mutable columns in the order of ``BookingStore/save(_:expectedVersion:event:)``.
    var updateBindings: [any PostgresEncodable] {
        [id, step, status, terminal, version, wakeUpAt, holdId, amountMinor, currency, expiresAt, seatsJSON,
         paymentId, paymentOutcome, failureReason, sagaJSON, updatedAt]
    }

    /// Decodes `saga, seats, payment_id`.
    static func record(from row: PostgresRow) throws -> BookingRecord {
        let saga = try JSONDecoder().decode(BookingSaga.self, from: Data(try row.decode(String.self, column: 0).utf8))
        let seats = try JSONDecoder().decode([BookedSeatDetail].self,
                                             from: Data(try row.decode(String.self, column: 1).utf8))
        return BookingRecord(saga: saga, seats: seats, paymentId: try row.decode(String.self, column: 2))
    }
}

extension SagaInstant {
    /// The instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1_000) }

    /// The current wall-clock time.
    @Sendable public static func wallClock() -> SagaInstant { SagaInstant(Date()) }

    /// The instant of `date`, truncated to whole milliseconds.
    public init(_ date: Date) {
        self.init(millisecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1_000).rounded(.down)))
    }
}
