import BoxOfficeBooking
import Foundation
import Testing

/// The saga's main paths step by step, with the exact calls they make.
@Suite("Saga paths")
struct SagaPathTests {
    let policy = Fixture.policy

    @Test("hold → checkout → pin → charge → capture → confirm")
    func happyPath() throws {
        var script = SagaScript.started()
        #expect(script.saga.status == nil, "no booking to show before the hold is granted")
        let hold = try #require(Self.onlyCall(script.lastActions))
        #expect(hold.request == .hold(eventId: 42, holderId: "user-1", selection: .generalAdmission(poolCode: "floor", quantity: 2)))
        #expect(hold.idempotencyKey == "bk-1:hold")
        #expect(hold.deadline == Fixture.t0 + policy.callTimeout)

        try script.apply(.holdAnswered(.granted(Fixture.grant)), after: .milliseconds(40))
        #expect(script.saga.status == .held)
        #expect(script.lastActions == [.wakeUp(at: Fixture.grant.expiresAt)], "held waits for its expiry")

        try script.apply(.checkoutRequested(paymentToken: "tok_visa"), after: .seconds(30))
        let pin = try #require(Self.onlyCall(script.lastActions))
        #expect(pin.request == .pin(holdId: "hold-1", holderId: "user-1", pinFor: policy.pinDuration))
        #expect(pin.deadline <= Fixture.grant.expiresAt, "the pin must land inside the hold window")
        #expect(script.saga.status == .held)

        let pinnedUntil = script.now + .seconds(900)
        try script.apply(.pinAnswered(.pinned(until: pinnedUntil)), after: .milliseconds(20))
        let charge = try #require(Self.onlyCall(script.lastActions))
        let paymentDeadline = pinnedUntil - policy.paymentDecisionMargin
        #expect(charge.request == .charge(bookingId: "bk-1", amount: Fixture.amount, paymentToken: "tok_visa",
                                          deadline: paymentDeadline))
        #expect(charge.deadline <= paymentDeadline)
        #expect(charge.idempotencyKey == "bk-1:charge")
        #expect(script.saga.status == .paymentPending, "once a charge is sent its outcome is pending")

        try script.apply(.chargeAnswered(.captured), after: .seconds(1))
        let confirm = try #require(Self.onlyCall(script.lastActions))
        #expect(confirm.request == .confirm(holdId: "hold-1", holderId: "user-1", orderReference: "bk-1"))
        #expect(script.saga.paymentOutcome == .captured)

        try script.apply(.confirmAnswered(.confirmed), after: .milliseconds(30))
        #expect(script.saga.status == .confirmed)
        #expect(script.saga.isTerminal)
        #expect(script.lastActions.isEmpty)
        #expect(script.saga.version == 5, "one version per accepted change after the start")
    }

    @Test("a charge that times out stays pending and is retried with the same key, never released")
    func chargeTimeoutRetriesSameCall() throws {
        var script = try SagaRow.chg.script()
        var delays: [Duration] = []
        for attempt in 1...12 {
            try script.apply(.callFailed(.charge), after: .seconds(35))
            #expect(script.saga.status == .paymentPending)
            let retryAt = try #require(script.saga.wakeUpAt)
            delays.append(script.now.duration(to: retryAt))
            try script.apply(.timerFired, after: script.now.duration(to: retryAt))
            let charge = try #require(Self.onlyCall(script.lastActions))
            #expect(charge.idempotencyKey == "bk-1:charge")
            #expect(charge.attempt == attempt + 1)
            #expect(charge.deadline >= script.now + policy.minimumCallBudget, "a late retry can still learn the outcome")
        }
        #expect(delays.prefix(3) == [.milliseconds(100), .milliseconds(200), .milliseconds(400)])
        #expect(delays.last == policy.maximumBackoff, "backoff is capped")
        #expect(!script.lastActions.contains { if case .call(let c) = $0 { c.kind == .release } else { false } })
    }

    @Test("a pending payment is polled less and less often until its outcome arrives")
    func pendingPaymentPolls() throws {
        var script = try SagaRow.chg.script()
        try script.apply(.chargeAnswered(.pending))
        var intervals: [Duration] = []
        for _ in 0..<6 {
            let pollAt = try #require(script.saga.wakeUpAt)
            intervals.append(script.now.duration(to: pollAt))
            try script.apply(.timerFired, after: script.now.duration(to: pollAt))
            let poll = try #require(Self.onlyCall(script.lastActions))
            #expect(poll.request == .getPayment(bookingId: "bk-1"))
            try script.apply(.paymentPolled(.pending), after: .milliseconds(10))
        }
        #expect(intervals == [.seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30)])

        try script.apply(.paymentNotified(.captured))
        #expect(script.saga.step == .confirming)
        let version = script.saga.version
        try script.apply(.paymentNotified(.captured))
        try script.apply(.paymentPolled(.pending))
        try script.apply(.chargeAnswered(.pending))
        #expect(script.saga.version == version, "late and repeated reports change nothing")
    }

    @Test("captured but the hold is gone: refund, then REFUNDED")
    func confirmImpossibleRefunds() throws {
        var script = try SagaRow.conf.script()
        try script.apply(.confirmAnswered(.holdGone))
        #expect(script.saga.status == .refunded)
        let refund = try #require(Self.onlyCall(script.lastActions))
        #expect(refund.idempotencyKey == "bk-1:refund")
        guard case .refund(bookingId: "bk-1", reason: _) = refund.request else {
            Issue.record("expected a refund, got \(refund.request)")
            return
        }
        try script.apply(.refundAnswered)
        #expect(script.saga.step == .refunded)
        #expect(script.saga.paymentOutcome == .refunded)
    }

    @Test("a pin that keeps failing until the hold expires gives up and releases (no charge was sent)")
    func pinGivesUpAtExpiry() throws {
        var script = try SagaRow.pin.script()
        try script.apply(.callFailed(.pin), after: Fixture.holdTTL)
        #expect(script.saga.step == .releasing(.expired))
        let release = try #require(Self.onlyCall(script.lastActions))
        #expect(release.request == .release(holdId: "hold-1", holderId: "user-1", reason: .expired))
    }

    @Test("call deadlines stay inside the hold window, never below the minimum budget")
    func deadlinesInsideTheWindow() throws {
        var script = try SagaRow.held.script()
        try script.apply(.checkoutRequested(paymentToken: "tok_visa"), after: Fixture.holdTTL - .seconds(2))
        let pin = try #require(Self.onlyCall(script.lastActions))
        #expect(pin.deadline == Fixture.grant.expiresAt, "a pin answered after the expiry is worthless")

        // Inventory pinned for only 10 s: the payment deadline (pin end − margin) has passed already.
        let pinnedUntil = script.now + .seconds(10)
        try script.apply(.pinAnswered(.pinned(until: pinnedUntil)))
        let charge = try #require(Self.onlyCall(script.lastActions))
        #expect(charge.deadline == script.now + policy.minimumCallBudget)
        guard case .charge(_, _, _, let paymentDeadline) = charge.request else {
            Issue.record("expected a charge, got \(charge.request)")
            return
        }
        #expect(paymentDeadline == pinnedUntil - policy.paymentDecisionMargin)
        // Payment refuses to start a provider call it cannot finish: a definite "not charged".
        try script.apply(.chargeAnswered(.notCharged))
        #expect(script.saga.status == .paymentFailed)
        #expect(Self.onlyCall(script.lastActions)?.request == .release(holdId: "hold-1", holderId: "user-1", reason: .paymentFailed))
    }

    @Test("resume repeats the in-flight call with the same key; held and terminal sagas only re-arm", arguments: SagaRow.allCases)
    func resume(row: SagaRow) throws {
        var (saga, now) = try row.make()
        let before = saga
        let transition = try saga.resume(now: now, policy: policy)
        if before.isTerminal {
            #expect(transition == .unchanged)
            #expect(saga == before)
            return
        }
        if let call = Self.onlyCall(transition.actions) {
            #expect(transition.mustPersist)
            #expect(call.idempotencyKey == "bk-1:\(call.kind.rawValue)")
            if call.kind == before.step.callKind {
                #expect(call.attempt == (before.call?.attempt ?? 0) + 1)
            }
            var again = saga
            let second = try again.resume(now: now + .seconds(1), policy: policy)
            #expect(Self.onlyCall(second.actions)?.idempotencyKey == call.idempotencyKey, "a second crash repeats the same call")
        } else {
            #expect(!transition.mustPersist)
            #expect(saga == before)
            #expect(transition.actions == [.wakeUp(at: try #require(before.wakeUpAt))])
        }
    }

    @Test("every state survives a JSON round trip", arguments: SagaRow.allCases)
    func codableRoundTrip(row: SagaRow) throws {
        let saga = try row.make().saga
        let data = try JSONEncoder().encode(saga)
        #expect(try JSONDecoder().decode(BookingSaga.self, from: data) == saga)
    }

    @Test("status maps onto the seven wire statuses", arguments: SagaStep.allCases)
    func statusMapping(step: SagaStep) {
        switch step {
        case .holdRequested, .holdRefused: #expect(step.bookingStatus == nil)
        case .confirmed: #expect(step.bookingStatus == .confirmed)
        case .releasing(let reason):
            #expect(step.bookingStatus == BookingStatus(rawValue: reason.rawValue))
        default: #expect(step.bookingStatus != nil)
        }
        #expect(step.isTerminal == (step.callKind == nil && step != .held))
        #expect(SagaStep(name: step.name) == step, "the text name round-trips")
    }

    static func onlyCall(_ actions: [SagaAction]) -> SagaCall? {
        let calls = actions.compactMap { action -> SagaCall? in
            if case .call(let call) = action { return call }
            return nil
        }
        return calls.count == 1 ? calls[0] : nil
    }
}
