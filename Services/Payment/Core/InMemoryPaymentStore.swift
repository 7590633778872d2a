public import Foundation

/// A ``PaymentStore`` in memory, for tests and simulations; one actor, so every method is atomic.
public actor InMemoryPaymentStore: PaymentStore {
    private var payments: [String: Payment] = [:]
    private var paymentIDsByBooking: [String: String] = [:]
    private var paymentIDsByCharge: [String: String] = [:]
    private var processedEventIDs: Set<String> = []
    private var notifications: [String: OutcomeNotification] = [:]
    private var notificationOrder: [String] = []

    /// An empty store.
    public init() {}

    /// Implements the ``PaymentStore`` requirement of the same name.
    public func payment(_ lookup: PaymentLookup) -> Payment? {
        switch lookup {
        case .paymentID(let id): payments[id]
        case .bookingID(let booking): paymentIDsByBooking[booking].flatMap { payments[$0] }
        case .providerChargeID(let charge): paymentIDsByCharge[charge].flatMap { payments[$0] }
        }
    }

    /// Implements the ``PaymentStore`` requirement of the same name.
    public func insert(_ payment: Payment) -> Payment? {
        if let existing = paymentIDsByBooking[payment.bookingID].flatMap({ payments[$0] }) { return existing }
        store(payment)
        return nil
    }

    /// Implements the ``PaymentStore`` requirement of the same name.
    public func commit(_ transition: PaymentTransition, processedEventID: String?) -> Bool {
        if let processedEventID, processedEventIDs.contains(processedEventID) { return false }
        if transition.changed {
            let payment = transition.payment
            guard payments[payment.id]?.version == payment.version - 1 else { return false }
            store(payment)
            for notification in transition.notifications where notifications[notification.id] == nil {
                notifications[notification.id] = notification
                notificationOrder.append(notification.id)
            }
        }
        if let processedEventID { processedEventIDs.insert(processedEventID) }
        return true
    }

    /// Implements the ``PaymentStore`` requirement of the same name.
    public func isEventProcessed(_ eventID: String) -> Bool {
        processedEventIDs.contains(eventID)
    }

    /// Implements the ``PaymentStore`` requirement of the same name.
    public func paymentsToReconcile(at now: Date, policy: ReconcilerPolicy, limit: Int) -> [Payment] {
        let due = payments.values.filter { payment in
            !ReconcilerSchedule.actions(for: payment, at: now, policy: policy).isEmpty
        }
        return Array(due.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.prefix(limit))
    }

    /// Implements the ``PaymentStore`` requirement of the same name.
    public func notificationsDue(at now: Date, limit: Int) -> [OutcomeNotification] {
        Array(notificationOrder.compactMap { notifications[$0] }.filter { $0.isDue(at: now) }.prefix(limit))
    }

    /// Implements the ``PaymentStore`` requirement of the same name.
    public func updateNotification(_ notification: OutcomeNotification) {
        guard notifications[notification.id] != nil else { return }
        notifications[notification.id] = notification
    }

    /// Every payment, oldest first (for invariant checks).
    public var allPayments: [Payment] {
        payments.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// Every notification, in creation order (for invariant checks).
    public var allNotifications: [OutcomeNotification] {
        notificationOrder.compactMap { notifications[$0] }
    }

    private func store(_ payment: Payment) {
        payments[payment.id] = payment
        paymentIDsByBooking[payment.bookingID] = payment.id
        if let charge = payment.providerChargeID { paymentIDsByCharge[charge] = payment.id }
    }
}
