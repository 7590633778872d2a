public import Foundation

/// Persistence of payments, processed webhook event ids and the outcome outbox.
///
/// The PostgreSQL store implements it over the schema in `Services/Payment/Schema`; tests use
/// ``InMemoryPaymentStore``. Every method is atomic.
public protocol PaymentStore: Sendable {
    /// The payment found by `lookup`, or nil.
    func payment(_ lookup: PaymentLookup) async throws -> Payment?

    /// Inserts a new payment unless its booking already has one; returns that existing payment
    /// (and inserts nothing) in that case, nil when inserted.
    func insert(_ payment: Payment) async throws -> Payment?

    /// In one transaction: writes `transition.payment` if the stored version is the one it was
    /// derived from (`payment.version - 1`), inserts its notifications, and records
    /// `processedEventID` if given. Returns false and writes nothing on a version conflict or when
    /// the event id was already recorded; the caller reloads and decides again.
    func commit(_ transition: PaymentTransition, processedEventID: String?) async throws -> Bool

    /// Whether a webhook event id was already applied.
    func isEventProcessed(_ eventID: String) async throws -> Bool

    /// PENDING payments whose next look (``ReconcilerSchedule/nextLook(at:)``) or overdue alert is
    /// due at `now`, oldest first, at most `limit`.
    func paymentsToReconcile(at now: Date, policy: ReconcilerPolicy, limit: Int) async throws -> [Payment]

    /// Unacknowledged notifications due at `now`, oldest first, at most `limit`.
    func notificationsDue(at now: Date, limit: Int) async throws -> [OutcomeNotification]

    /// Saves a notification's delivery state (acknowledged or rescheduled).
    func updateNotification(_ notification: OutcomeNotification) async throws
}
