import BoxOfficePayment
import Foundation
import Testing

@Suite("Payment: reconciler schedule")
struct ReconcilerScheduleTests {
    let policy = ReconcilerPolicy() // checks back off 5 s … 300 s, 10 checks, bound 900 s

    @Test("no check while the charge call is in flight; after a crash, a check once it would have ended")
    func inFlight() {
        let pending = payment(.pending, deadline: t0.plus(3600)) // call in flight until t0 + 30, never answered
        #expect(ReconcilerSchedule.actions(for: pending, at: t0.plus(29), policy: policy).isEmpty)
        #expect(ReconcilerSchedule.nextLook(at: pending) == t0.plus(30))
        #expect(ReconcilerSchedule.actions(for: pending, at: t0.plus(30), policy: policy)
                == [.checkProvider(idempotencyKey: "boxoffice-booking-b-1")])
    }

    @Test("after a timeout the first check waits the initial backoff")
    func firstCheck() {
        let pending = payment(.pending, deadline: t0.plus(3600)).apply(.chargeUnanswered, at: t0.plus(30), policy: PaymentPolicy()).payment
        #expect(ReconcilerSchedule.actions(for: pending, at: t0.plus(34), policy: policy).isEmpty)
        #expect(ReconcilerSchedule.actions(for: pending, at: t0.plus(35), policy: policy).count == 1)
    }

    @Test("unresolved checks back off, cap, alert once when exhausted, and never stop")
    func backoffAndAlert() {
        var current = payment(.pending, deadline: t0.plus(100_000)).apply(.chargeUnanswered, at: t0.plus(30), policy: PaymentPolicy()).payment
        let paymentPolicy = PaymentPolicy(reconciler: ReconcilerPolicy(pendingBound: .seconds(100_000)))
        var checkTimes: [Double] = []
        var alerts: [(Double, OverdueReason)] = []
        var now = t0.plus(30)
        for _ in 0..<3000 where checkTimes.count < 14 {
            now = now.plus(1)
            for action in ReconcilerSchedule.actions(for: current, at: now, policy: paymentPolicy.reconciler) {
                switch action {
                case .checkProvider:
                    checkTimes.append(now.timeIntervalSince(t0))
                    current = current.apply(.providerChecked(.processing), at: now, policy: paymentPolicy).payment
                case .raiseOverdueAlert(let reason):
                    alerts.append((now.timeIntervalSince(t0), reason))
                    current = current.apply(.overdueAlertRaised, at: now, policy: paymentPolicy).payment
                }
            }
        }
        let gaps = zip(checkTimes.dropFirst(), checkTimes).map { $0 - $1 }
        #expect(checkTimes.first == 35)
        #expect(gaps == [5, 10, 20, 40, 80, 160, 300, 300, 300, 300, 300, 300, 300])
        #expect(alerts.count == 1)
        #expect(alerts.first?.1 == .checksExhausted)
        #expect(alerts.first?.0 == checkTimes[9] + 1, "raised on the next pass after the 10th check came back unresolved")
        #expect(current.unresolvedChecks == 14)
        #expect(current.attempts == 15, "the charge call plus 14 checks")
        #expect(current.status == .pending)
    }

    @Test("overdue reasons: deadline passed, pending too long; raised once")
    func overdue() {
        let pending = payment(.pending, deadline: t0.plus(600))
        #expect(ReconcilerSchedule.actions(for: pending, at: t0.plus(600), policy: policy).first == .raiseOverdueAlert(.deadlinePassed))
        let longDeadline = payment(.pending, deadline: t0.plus(10_000))
        #expect(ReconcilerSchedule.actions(for: longDeadline, at: t0.plus(899), policy: policy) == [.checkProvider(idempotencyKey: "boxoffice-booking-b-1")])
        #expect(ReconcilerSchedule.actions(for: longDeadline, at: t0.plus(900), policy: policy).first == .raiseOverdueAlert(.pendingTooLong))
        let alerted = pending.apply(.overdueAlertRaised, at: t0.plus(600), policy: PaymentPolicy()).payment
        #expect(alerted.overdueAlertAt == t0.plus(600))
        #expect(!ReconcilerSchedule.actions(for: alerted, at: t0.plus(700), policy: policy).contains(.raiseOverdueAlert(.deadlinePassed)))
        #expect(alerted.apply(.overdueAlertRaised, at: t0.plus(700), policy: PaymentPolicy()).effect == .ignored)
    }

    @Test("settled payments are never reconciled", arguments: [PaymentStatus.captured, .declined, .notCharged, .refunded])
    func settled(status: PaymentStatus) {
        #expect(ReconcilerSchedule.actions(for: payment(status), at: t0.plus(100_000), policy: policy).isEmpty)
        #expect(ReconcilerSchedule.nextLook(at: payment(status)) == nil)
    }

    @Test("a resolving check ends the schedule")
    func resolved() {
        let pending = payment(.pending).apply(.chargeUnanswered, at: t0.plus(30), policy: PaymentPolicy()).payment
        for (lookup, status) in [(ProviderLookup.notFound, PaymentStatus.notCharged),
                                 (.found(.succeeded(chargeID: "ch_1")), .captured),
                                 (.found(.failed(chargeID: "ch_1", code: "processing_error", message: "")), .notCharged)] {
            let after = pending.apply(.providerChecked(lookup), at: t0.plus(150), policy: PaymentPolicy()).payment
            #expect(after.status == status)
            #expect(after.nextCheckAt == nil)
            #expect(ReconcilerSchedule.actions(for: after, at: t0.plus(10_000), policy: policy).isEmpty)
        }
    }
}
