public import BoxOfficePostgres
public import Foundation

/// The ``PaymentStore`` on the payment service's own PostgreSQL database (`Services/Payment/Schema`).
///
/// Every method is one statement or one READ COMMITTED transaction. Payments are written only with
/// an optimistic version check (`WHERE id = $1 AND version = $2`), so of two racing transitions
/// derived from one version exactly one is written; a webhook event id is recorded in the
/// transaction that applies it (primary key), so it is applied once. Safe to share between tasks.
public struct PostgresPaymentStore: PaymentStore {
    private let client: PostgresClient

    /// A store on `client`'s database; run ``PaymentSchema/migrate(_:logger:)`` first.
    public init(client: PostgresClient) {
        self.client = client
    }

    /// Implements the ``PaymentStore`` requirement of the same name.
    public func payment(_ lookup: PaymentLookup) async throws -> Payment? {
        let (column, value): (String, String) = switch lookup {
        case .paymentID(let id): ("id", id)
        case .bookingID(let booking): ("booking_id", booking)
        case .providerChargeID(let charge): ("provider_charge_id", charge)
        }
        let rows = try await client.query("SELECT \(PaymentRows.paymentColumns) FROM payments p WHERE p.\(column) = $1", [value])
        return try rows.first.map(PaymentRows.decodePayment)
    }

    /// Implements the ``PaymentStore`` requirement of the same name.
    public func insert(_ payment: Payment) async throws -> Payment? {
        let metadata = try PaymentRows.json(payment.metadata)
        let inserted = try await client.transaction { transaction in
            let count = try await transaction.execute("""
                INSERT INTO payments (id, booking_id, amount_minor, currency, status, payment_token, metadata,
                    provider_idempotency_key, provider_charge_id, attempts, decline_code, decline_message, refunded_minor,
                    deadline, provider_call_deadline, next_check_at, unresolved_checks, overdue_alert_at, version,
                    created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
                ON CONFLICT (booking_id) DO NOTHING
                """, [payment.id, payment.bookingID, payment.amount.amountMinor, payment.amount.currency.code,
                      payment.status.rawValue, payment.paymentToken, metadata, payment.providerIdempotencyKey,
                      payment.providerChargeID, payment.attempts, payment.declineCode, payment.declineMessage,
                      payment.refundedAmount, payment.deadline, payment.providerCallDeadline, payment.nextCheckAt,
                      payment.unresolvedChecks, payment.overdueAlertAt, payment.version, payment.createdAt, payment.updatedAt])
            guard count == 1 else { return false }
            try await Self.saveRefunds(of: payment, in: transaction)
            return true
        }
        if inserted { return nil }
        guard let existing = try await self.payment(.bookingID(payment.bookingID)) else {
            throw PostgresError(code: .server, message: "booking \(payment.bookingID) has a payment that cannot be read back")
        }
        return existing
    }

    /// Implements the ``PaymentStore`` requirement of the same name.
    public func commit(_ transition: PaymentTransition, processedEventID: String?) async throws -> Bool {
        let payment = transition.payment
        let metadata = try PaymentRows.json(payment.metadata)
        do {
            return try await client.transaction { transaction in
                if let processedEventID {
                    let recorded = try await transaction.execute("""
                        INSERT INTO processed_webhook_events (event_id, payment_id, event_type) VALUES ($1, $2, $3)
                        ON CONFLICT (event_id) DO NOTHING
                        """, [processedEventID, payment.id, Self.describe(transition.effect)])
                    guard recorded == 1 else { throw CommitRefused() }
                }
                guard transition.changed else { return true }
                let updated = try await transaction.execute("""
                    UPDATE payments SET status = $3, provider_charge_id = $4, attempts = $5, decline_code = $6,
                        decline_message = $7, refunded_minor = $8, provider_call_deadline = $9, next_check_at = $10,
                        unresolved_checks = $11, overdue_alert_at = $12, version = $13, updated_at = $14,
                        metadata = $15::jsonb, deadline = $16
                    WHERE id = $1 AND version = $2
                    """, [payment.id, payment.version - 1, payment.status.rawValue, payment.providerChargeID,
                          payment.attempts, payment.declineCode, payment.declineMessage, payment.refundedAmount,
                          payment.providerCallDeadline, payment.nextCheckAt, payment.unresolvedChecks,
                          payment.overdueAlertAt, payment.version, payment.updatedAt, metadata, payment.deadline])
                guard updated == 1 else { throw CommitRefused() }
                try await Self.saveRefunds(of: payment, in: transaction)
                for notification in transition.notifications {
                    _ = try await transaction.execute("""
                        INSERT INTO outcome_outbox (id, payment_id, booking_id, status, amount_minor, currency, created_at,
                            failed_attempts, next_attempt_at, acknowledged_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING
                        """, [notification.id, notification.paymentID, notification.bookingID, notification.status.rawValue,
                              notification.amount.amountMinor, notification.amount.currency.code, notification.createdAt,
                              notification.failedAttempts, notification.nextAttemptAt, notification.acknowledgedAt])
                }
                return true
            }
        } catch is CommitRefused {
            return false
        }
    }

    /// Implements the ``PaymentStore`` requirement of the same name.
    public func isEventProcessed(_ eventID: String) async throws -> Bool {
        try await !client.query("SELECT 1 FROM processed_webhook_events WHERE event_id = $1", [eventID]).isEmpty
    }

    /// Implements the ``PaymentStore`` requirement of the same name.
    public func paymentsToReconcile(at now: Date, policy: ReconcilerPolicy, limit: Int) async throws -> [Payment] {
        // SQL narrows to PENDING payments with a look or an alert due; the schedule has the last word.
        let rows = try await client.query("""
            SELECT \(PaymentRows.paymentColumns) FROM payments p
            WHERE p.status = 'PENDING'
              AND (coalesce(p.next_check_at, p.provider_call_deadline, p.created_at) <= $1
                   OR (p.overdue_alert_at IS NULL
                       AND (p.deadline <= $1 OR p.created_at + $2 * interval '1 millisecond' <= $1 OR p.unresolved_checks >= $3)))
            ORDER BY p.created_at, p.id LIMIT $4
            """, [now, Int64(policy.pendingBound.timeInterval * 1000), policy.maxChecks, limit])
        return try rows.map(PaymentRows.decodePayment).filter {
            !ReconcilerSchedule.actions(for: $0, at: now, policy: policy).isEmpty
        }
    }

    /// Implements the ``PaymentStore`` requirement of the same name.
    public func notificationsDue(at now: Date, limit: Int) async throws -> [OutcomeNotification] {
        let rows = try await client.query("""
            SELECT \(PaymentRows.notificationColumns) FROM outcome_outbox
            WHERE acknowledged_at IS NULL AND next_attempt_at <= $1 ORDER BY created_at, id LIMIT $2
            """, [now, limit])
        return try rows.map(PaymentRows.decodeNotification)
    }

    /// Implements the ``PaymentStore`` requirement of the same name.
    public func updateNotification(_ notification: OutcomeNotification) async throws {
        _ = try await client.execute("""
            UPDATE outcome_outbox SET failed_attempts = $2, next_attempt_at = $3,
                acknowledged_at = coalesce(acknowledged_at, $4)
            WHERE id = $1
            """, [notification.id, notification.failedAttempts, notification.nextAttemptAt, notification.acknowledgedAt])
    }

    // MARK: Private

    /// Thrown inside a transaction to roll it back when a version or event-id check fails.
    private struct CommitRefused: Error {}

    /// Inserts refunds not yet stored, and records the key of one learnt from a webhook first.
    private static func saveRefunds(of payment: Payment, in transaction: PostgresTransaction) async throws {
        for refund in payment.refunds {
            _ = try await transaction.execute("""
                INSERT INTO payment_refunds (id, payment_id, provider_refund_id, amount_minor, currency, reason,
                    idempotency_key, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (id) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
                    WHERE payment_refunds.idempotency_key = '' AND EXCLUDED.idempotency_key <> ''
                """, [refund.id, payment.id, refund.providerRefundID, refund.amount.amountMinor, refund.amount.currency.code,
                      refund.reason, refund.idempotencyKey, refund.createdAt])
        }
    }

    private static func describe(_ effect: PaymentTransition.Effect) -> String {
        switch effect {
        case .advanced(let from, let to): "advanced \(from.rawValue) -> \(to.rawValue)"
        case .updated: "updated"
        case .ignored: "ignored"
        case .contradicted(let status): "contradicted \(status.rawValue)"
        }
    }
}
