public import BoxOfficeAPI
import BoxOfficeRPC
public import Foundation
public import Logging

/// Where outcome notifications go: booking's `NotifyPaymentOutcome`.
///
/// Deliveries are retried, so the same notification id may arrive more than once; booking
/// deduplicates by it. Returning means booking acknowledged; throwing means try again later.
public protocol OutcomeRecipient: Sendable {
    /// Delivers one notification.
    func deliver(_ notification: OutcomeNotification) async throws
}

/// The ``OutcomeRecipient`` over booking's gRPC API.
public struct GRPCBookingRecipient: OutcomeRecipient {
    private let client: Boxoffice_Booking_V1_BookingService.Client
    /// The budget of one delivery.
    public let timeout: Duration

    /// A recipient calling booking through `client`.
    public init(client: Boxoffice_Booking_V1_BookingService.Client, timeout: Duration = .seconds(5)) {
        self.client = client
        self.timeout = timeout
    }

    /// Implements the ``OutcomeRecipient`` requirement of the same name.
    public func deliver(_ notification: OutcomeNotification) async throws {
        _ = try await client.notifyPaymentOutcome(Self.request(notification), options: CallOptions(timeout: timeout))
    }

    /// The wire form of a notification.
    public static func request(_ notification: OutcomeNotification) -> Boxoffice_Booking_V1_NotifyPaymentOutcomeRequest {
        var request = Boxoffice_Booking_V1_NotifyPaymentOutcomeRequest()
        request.notificationID = notification.id
        request.bookingID = notification.bookingID
        request.paymentID = notification.paymentID
        request.outcome = switch notification.status {
        case .captured: .captured
        case .declined: .declined
        case .notCharged: .notCharged
        case .refunded: .refunded
        case .pending: .unspecified
        }
        request.amount = PaymentWire.money(notification.amount)
        return request
    }
}

/// Delivers the outbox: every unacknowledged outcome notification that is due goes to booking,
/// and is rescheduled with capped backoff until booking acknowledges it (never given up).
///
/// The outbox rows are written in the same transaction as the status change they announce, so an
/// outcome survives any crash between the provider's answer and its delivery.
public struct OutcomeRelay: Sendable {
    private let store: any PaymentStore
    private let recipient: any OutcomeRecipient
    private let retry: Backoff
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let metrics = PaymentMetrics()

    /// A relay from `store` to `recipient`, retrying on `retry`'s schedule.
    public init(store: any PaymentStore, recipient: any OutcomeRecipient, retry: Backoff, logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.recipient = recipient
        self.retry = retry
        self.logger = logger
        self.clock = clock
    }

    /// Delivers what is due, at most `limit` notifications, a few at a time.
    /// - Returns: the number booking acknowledged.
    @discardableResult
    public func deliverDue(limit: Int = 200, concurrency: Int = 8) async throws -> Int {
        let due = try await store.notificationsDue(at: clock(), limit: limit)
        guard !due.isEmpty else { return 0 }
        var acknowledged = 0
        var index = 0
        while index < due.count {
            let batch = due[index..<min(index + max(1, concurrency), due.count)]
            index += batch.count
            acknowledged += try await withThrowingTaskGroup(of: Bool.self) { group in
                for notification in batch {
                    group.addTask { try await deliver(notification) }
                }
                var count = 0
                for try await delivered in group where delivered { count += 1 }
                return count
            }
        }
        return acknowledged
    }

    private func deliver(_ notification: OutcomeNotification) async throws -> Bool {
        var notification = notification
        let delivered: Bool
        do {
            try await recipient.deliver(notification)
            notification.acknowledge(at: clock())
            metrics.outcomeDelivery("acknowledged")
            delivered = true
        } catch {
            notification.deliveryFailed(at: clock(), retry: retry)
            metrics.outcomeDelivery("failed")
            let level: Logger.Level = notification.failedAttempts >= 5 ? .warning : .info
            logger.log(level: level, "booking did not acknowledge a payment outcome; retrying", metadata: [
                "notification.id": "\(notification.id)", "booking.id": "\(notification.bookingID)",
                "notification.failed_attempts": "\(notification.failedAttempts)",
                "notification.next_attempt_at": "\(notification.nextAttemptAt)", "error": "\(error)"])
            delivered = false
        }
        try await store.updateNotification(notification)
        return delivered
    }
}
