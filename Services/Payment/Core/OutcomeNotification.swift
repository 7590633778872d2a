public import Foundation

/// An outbox entry: one payment outcome to deliver to booking, retried until acknowledged.
///
/// Created in the same transition as the status change it announces (see ``PaymentTransition``),
/// so a crash between the provider's answer and the notification loses nothing. Its id is stable
/// (payment and status), so booking can deduplicate redeliveries.
public struct OutcomeNotification: Sendable, Hashable, Codable, Identifiable {
    /// "<payment id>/<STATUS>": one notification per status a payment reaches.
    public var id: String
    /// The payment it is about.
    public var paymentID: String
    /// The booking this belongs to.
    public var bookingID: String
    /// The status reached.
    public var status: PaymentStatus
    /// The payment's amount.
    public var amount: Money
    /// When it was created.
    public var createdAt: Date
    /// Delivery attempts that failed so far.
    public var failedAttempts: Int
    /// When to try (again).
    public var nextAttemptAt: Date
    /// Set when booking acknowledged it; never delivered again.
    public var acknowledgedAt: Date?

    /// The notification that `payment` reached its current status at `now`, due at once.
    public init(payment: Payment, at now: Date) {
        id = "\(payment.id)/\(payment.status.rawValue)"
        paymentID = payment.id
        bookingID = payment.bookingID
        status = payment.status
        amount = payment.amount
        createdAt = now
        failedAttempts = 0
        nextAttemptAt = now
        acknowledgedAt = nil
    }

    /// Creates a value from its fields (a store reading its rows back).
    public init(
        id: String, paymentID: String, bookingID: String, status: PaymentStatus, amount: Money, createdAt: Date,
        failedAttempts: Int, nextAttemptAt: Date, acknowledgedAt: Date?
    ) {
        self.id = id
        self.paymentID = paymentID
        self.bookingID = bookingID
        self.status = status
        self.amount = amount
        self.createdAt = createdAt
        self.failedAttempts = failedAttempts
        self.nextAttemptAt = nextAttemptAt
        self.acknowledgedAt = acknowledgedAt
    }

    /// True when it should be delivered at `now`.
    public func isDue(at now: Date) -> Bool {
        acknowledgedAt == nil && nextAttemptAt <= now
    }

    /// Records booking's acknowledgement; later calls keep the first time.
    public mutating func acknowledge(at now: Date) {
        if acknowledgedAt == nil { acknowledgedAt = now }
    }

    /// Records a failed delivery and schedules the next one with backoff (never given up).
    public mutating func deliveryFailed(at now: Date, retry: Backoff) {
        guard acknowledgedAt == nil else { return }
        failedAttempts += 1
        nextAttemptAt = now.adding(retry.delay(afterFailures: failedAttempts))
    }
}
