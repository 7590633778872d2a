import BoxOfficePayment
import Foundation
import Testing

@Suite("Payment: outcome outbox and the in-memory store")
struct OutboxAndStoreTests {
    @Test("a notification is retried with capped backoff until acknowledged")
    func notificationRetry() {
        var notification = OutcomeNotification(payment: payment(.captured), at: t0)
        #expect(notification.id == "pay-b-1/CAPTURED")
        #expect(notification.isDue(at: t0))
        let retry = Backoff(initial: .seconds(1), maximum: .seconds(8))
        var now = t0
        var waits: [Double] = []
        for _ in 0..<6 {
            notification.deliveryFailed(at: now, retry: retry)
            waits.append(notification.nextAttemptAt.timeIntervalSince(now))
            #expect(!notification.isDue(at: now))
            now = notification.nextAttemptAt
            #expect(notification.isDue(at: now))
        }
        #expect(waits == [1, 2, 4, 8, 8, 8])
        #expect(notification.failedAttempts == 6)
        notification.acknowledge(at: now)
        notification.acknowledge(at: now.plus(5))
        #expect(notification.acknowledgedAt == now)
        #expect(!notification.isDue(at: now.plus(10_000)))
        notification.deliveryFailed(at: now, retry: retry)
        #expect(notification.failedAttempts == 6, "an acknowledged notification stays done")
    }

    @Test("insert is unique by booking; commit checks the version and the event id")
    func store() async throws {
        let store = InMemoryPaymentStore()
        let pending = payment(.pending)
        #expect(await store.insert(pending) == nil)
        var twin = payment(.pending)
        twin.id = "pay-other"
        #expect(await store.insert(twin) == pending, "a second payment for the booking is refused")

        let captured = pending.apply(.chargeAnswered(.succeeded(chargeID: "ch_1")), at: t0.plus(1), policy: defaultPolicy)
        #expect(await store.commit(captured, processedEventID: nil))
        #expect(await store.payment(.providerChargeID("ch_1"))?.status == .captured)
        #expect(await store.payment(.bookingID("b-1")) == captured.payment)
        #expect(await store.payment(.paymentID("pay-b-1")) == captured.payment)
        // A transition derived from the old version loses.
        let stale = pending.apply(.chargeAnswered(.failed(chargeID: nil, code: "card_declined", message: "")), at: t0.plus(2), policy: defaultPolicy)
        #expect(await store.commit(stale, processedEventID: nil) == false)
        #expect(await store.payment(.bookingID("b-1"))?.status == .captured)

        // An event id is recorded once, with or without a change.
        let ignored = captured.payment.apply(.chargeUnanswered, at: t0.plus(3), policy: defaultPolicy)
        #expect(await store.commit(ignored, processedEventID: "evt_1"))
        #expect(await store.isEventProcessed("evt_1"))
        #expect(await store.commit(ignored, processedEventID: "evt_1") == false)

        // The CAPTURED notification is in the outbox, due at once, until acknowledged.
        var due = await store.notificationsDue(at: t0.plus(1), limit: 10)
        #expect(due.map(\.id) == ["pay-b-1/CAPTURED"])
        due[0].acknowledge(at: t0.plus(4))
        await store.updateNotification(due[0])
        #expect(await store.notificationsDue(at: t0.plus(100), limit: 10).isEmpty)
        #expect(await store.allNotifications.count == 1)
    }

    @Test("the reconciler scan returns PENDING payments whose look is due, oldest first")
    func reconcileScan() async {
        let store = InMemoryPaymentStore()
        let early = payment(.pending, booking: "b-early", createdAt: t0)
        let late = payment(.pending, booking: "b-late", createdAt: t0.plus(20))
        _ = await store.insert(late)
        _ = await store.insert(early)
        _ = await store.insert(payment(.captured, booking: "b-done"))
        let policy = ReconcilerPolicy()
        #expect(await store.paymentsToReconcile(at: t0.plus(29), policy: policy, limit: 10).isEmpty)
        #expect(await store.paymentsToReconcile(at: t0.plus(30), policy: policy, limit: 10).map(\.bookingID) == ["b-early"])
        #expect(await store.paymentsToReconcile(at: t0.plus(50), policy: policy, limit: 10).map(\.bookingID) == ["b-early", "b-late"])
        #expect(await store.paymentsToReconcile(at: t0.plus(50), policy: policy, limit: 1).map(\.bookingID) == ["b-early"])
    }
}
