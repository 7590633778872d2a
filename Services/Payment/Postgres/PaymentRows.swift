import BoxOfficePostgres
import Foundation

/// The SQL text and row decoding of `payments` (with its refunds) and `outcome_outbox`.
enum PaymentRows {
    /// The columns ``decodePayment(_:)`` reads, in order; `p` is `payments`. Refunds come as one
    /// JSON array so a payment and its refunds are read in one statement (one snapshot).
    static let paymentColumns = """
        p.id, p.booking_id, p.amount_minor, p.currency, p.status, p.payment_token, p.metadata::text,
        p.provider_charge_id, p.attempts, p.decline_code, p.decline_message, p.deadline, p.created_at, p.updated_at,
        p.provider_call_deadline, p.next_check_at, p.unresolved_checks, p.overdue_alert_at, p.version,
        (SELECT coalesce(jsonb_agg(jsonb_build_object(
                    'id', r.id, 'provider_refund_id', r.provider_refund_id, 'amount_minor', r.amount_minor,
                    'reason', r.reason, 'idempotency_key', r.idempotency_key,
                    'created_at_us', floor(extract(epoch FROM r.created_at) * 1000000)::int8)
                ORDER BY r.created_at, length(r.id), r.id), '[]'::jsonb)
         FROM payment_refunds r WHERE r.payment_id = p.id)::text
        """

    static func decodePayment(_ row: PostgresRow) throws -> Payment {
        let currencyCode = try row.decode(String.self, column: 3)
        guard let currency = Currency(code: currencyCode) else {
            throw PostgresError(code: .decoding, message: "payments.currency holds \"\(currencyCode)\", not an accepted currency")
        }
        let statusText = try row.decode(String.self, column: 4)
        guard let status = PaymentStatus(rawValue: statusText) else {
            throw PostgresError(code: .decoding, message: "payments.status holds \"\(statusText)\"")
        }
        let id = try row.decode(String.self, column: 0)
        let metadata = try JSONDecoder().decode([String: String].self, from: Data(try row.decode(String.self, column: 6).utf8))
        let refunds = try JSONDecoder().decode([RefundRow].self, from: Data(try row.decode(String.self, column: 19).utf8))
        return Payment(
            id: id, bookingID: try row.decode(String.self, column: 1),
            amount: Money(amountMinor: try row.decode(Int64.self, column: 2), currency: currency), status: status,
            paymentToken: try row.decode(String.self, column: 5), metadata: metadata,
            providerChargeID: try row.decode(String?.self, column: 7), attempts: try row.decode(Int.self, column: 8),
            declineCode: try row.decode(String.self, column: 9), declineMessage: try row.decode(String.self, column: 10),
            deadline: try row.decode(Date.self, column: 11), createdAt: try row.decode(Date.self, column: 12),
            updatedAt: try row.decode(Date.self, column: 13),
            refunds: refunds.map { $0.record(currency: currency) },
            providerCallDeadline: try row.decode(Date?.self, column: 14), nextCheckAt: try row.decode(Date?.self, column: 15),
            unresolvedChecks: try row.decode(Int.self, column: 16), overdueAlertAt: try row.decode(Date?.self, column: 17),
            version: try row.decode(Int.self, column: 18))
    }

    /// The columns ``decodeNotification(_:)`` reads, in order.
    static let notificationColumns = """
        id, payment_id, booking_id, status, amount_minor, currency, created_at, failed_attempts, next_attempt_at, acknowledged_at
        """

    static func decodeNotification(_ row: PostgresRow) throws -> OutcomeNotification {
        let currencyCode = try row.decode(String.self, column: 5)
        let statusText = try row.decode(String.self, column: 3)
        guard let currency = Currency(code: currencyCode), let status = PaymentStatus(rawValue: statusText) else {
            throw PostgresError(code: .decoding, message: "outcome_outbox holds \(statusText) \(currencyCode)")
        }
        return OutcomeNotification(
            id: try row.decode(String.self, column: 0), paymentID: try row.decode(String.self, column: 1),
            bookingID: try row.decode(String.self, column: 2), status: status,
            amount: Money(amountMinor: try row.decode(Int64.self, column: 4), currency: currency),
            createdAt: try row.decode(Date.self, column: 6), failedAttempts: try row.decode(Int.self, column: 7),
            nextAttemptAt: try row.decode(Date.self, column: 8), acknowledgedAt: try row.decode(Date?.self, column: 9))
    }

    /// A metadata map as JSON text for a `jsonb` parameter.
    static func json(_ metadata: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(metadata), as: UTF8.self)
    }

    /// One element of the refunds JSON array.
    private struct RefundRow: Decodable {
        var id: String
        var provider_refund_id: String
        var amount_minor: Int64
        var reason: String
        var idempotency_key: String
        var created_at_us: Int64

        func record(currency: Currency) -> RefundRecord {
            // The same arithmetic as the binary timestamp decoder, so both paths give equal dates.
            let (seconds, micros) = created_at_us.quotientAndRemainder(dividingBy: 1_000_000)
            let createdAt = Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1e6)
            return RefundRecord(id: id, providerRefundID: provider_refund_id,
                                amount: Money(amountMinor: amount_minor, currency: currency), reason: reason,
                                idempotencyKey: idempotency_key, createdAt: createdAt)
        }
    }
}
