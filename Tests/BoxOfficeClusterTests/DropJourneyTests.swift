import BoxOfficeCluster
import Testing

/// The shopper state machine, step by step, without I/O.
@Suite struct DropJourneyTests {
    static func plan(checkout: CheckoutChoice = .pay(token: "tok_approve"), watches: Bool = false,
                     holds: [HoldRequestPlan] = [.bestAvailable(section: "S1", quantity: 2), .generalAdmission(pool: "GA", quantity: 2)])
        -> ShopperPlan {
        ShopperPlan(userID: "u1", holdRequests: holds, checkout: checkout, watchesQueue: watches)
    }

    static func limits() -> ShopperJourney.Limits {
        var configuration = DropConfiguration()
        configuration.maxQueueWait = .seconds(60)
        configuration.queuePollInterval = .seconds(1)
        configuration.checkoutRetries = 1
        configuration.pendingPollLimit = .seconds(10)
        return ShopperJourney.Limits(configuration)
    }

    static let waiting = ShopperJourney.Event.queue(.init(ticket: "t1", state: .waiting))
    static let admitted = ShopperJourney.Event.queue(.init(ticket: "t1", state: .admitted, admissionToken: "adm"))

    @Test func happyPathEntersWaitsHoldsPaysAndConfirms() {
        var journey = ShopperJourney(plan: Self.plan(), limits: Self.limits())
        #expect(journey.start(now: .zero) == .enterQueue)
        #expect(journey.next(after: Self.waiting, now: .seconds(1)) == .pollQueue(ticket: "t1", after: .seconds(1)))
        #expect(journey.next(after: Self.admitted, now: .seconds(2))
                == .hold(.bestAvailable(section: "S1", quantity: 2), admissionToken: "adm", key: "u1-hold0"))
        #expect(journey.next(after: .held(booking: "b1"), now: .seconds(3))
                == .checkout(booking: "b1", paymentToken: "tok_approve", key: "u1-checkout"))
        #expect(journey.next(after: .booking(.confirmed), now: .seconds(4)) == .finish(.confirmed))
        #expect(journey.outcome == .confirmed)
        #expect(journey.booking == "b1")
    }

    @Test func watcherWatchesAndPollDelayFollowsTheEstimate() {
        var journey = ShopperJourney(plan: Self.plan(watches: true), limits: Self.limits())
        _ = journey.start(now: .zero)
        #expect(journey.next(after: Self.waiting, now: .seconds(1)) == .watchQueue(ticket: "t1", for: .seconds(5)))

        var poller = ShopperJourney(plan: Self.plan(), limits: Self.limits())
        _ = poller.start(now: .zero)
        let soon = ShopperJourney.Event.queue(.init(ticket: "t1", state: .waiting, estimatedWait: .milliseconds(300)))
        #expect(poller.next(after: soon, now: .seconds(1)) == .pollQueue(ticket: "t1", after: .milliseconds(300)))
    }

    @Test func expiredPlaceIsReenteredOnceThenGivenUp() {
        var journey = ShopperJourney(plan: Self.plan(), limits: Self.limits())
        _ = journey.start(now: .zero)
        let expired = ShopperJourney.Event.queue(.init(ticket: "t1", state: .expired))
        #expect(journey.next(after: expired, now: .seconds(1)) == .enterQueue)
        #expect(journey.next(after: expired, now: .seconds(2)) == .finish(.queueExpired))
    }

    @Test func queueWaitIsBounded() {
        var journey = ShopperJourney(plan: Self.plan(), limits: Self.limits())
        _ = journey.start(now: .zero)
        #expect(journey.next(after: Self.waiting, now: .seconds(59)) == .pollQueue(ticket: "t1", after: .seconds(1)))
        #expect(journey.next(after: Self.waiting, now: .seconds(61)) == .finish(.queueTimeout))
    }

    @Test func queueErrorsAreBounded() {
        var journey = ShopperJourney(plan: Self.plan(), limits: Self.limits())
        _ = journey.start(now: .zero)
        var last = journey.next(after: .queueCallFailed(.unknown), now: .zero)
        var calls = 1
        while case .enterQueue = last, calls < 100 {
            last = journey.next(after: .queueCallFailed(.unknown), now: .zero)
            calls += 1
        }
        #expect(last == .finish(.error))
        #expect(calls == ShopperJourney.Limits(DropConfiguration()).queueErrorLimit)
    }

    @Test func soldOutEndsTheWait() {
        var journey = ShopperJourney(plan: Self.plan(), limits: Self.limits())
        _ = journey.start(now: .zero)
        _ = journey.next(after: Self.waiting, now: .seconds(1))
        #expect(journey.next(after: .soldOut, now: .seconds(2)) == .finish(.soldOut))
    }

    @Test func refusedHoldMovesOnAndUnknownHoldRepeatsTheSameKey() {
        var journey = ShopperJourney(plan: Self.plan(), limits: Self.limits())
        _ = journey.start(now: .zero)
        _ = journey.next(after: Self.admitted, now: .seconds(1))
        // Unknown: the same request with the same key, so a hold that did happen is returned, not doubled.
        #expect(journey.next(after: .holdFailed(.unknown), now: .seconds(2))
                == .hold(.bestAvailable(section: "S1", quantity: 2), admissionToken: "adm", key: "u1-hold0"))
        #expect(journey.next(after: .holdFailed(.failed), now: .seconds(3))
                == .hold(.generalAdmission(pool: "GA", quantity: 2), admissionToken: "adm", key: "u1-hold1"))
        #expect(journey.next(after: .holdFailed(.failed), now: .seconds(4)) == .finish(.holdRefused))
    }

    @Test func unknownHoldsAreBounded() {
        var journey = ShopperJourney(plan: Self.plan(), limits: Self.limits())
        _ = journey.start(now: .zero)
        var action = journey.next(after: Self.admitted, now: .seconds(1))
        var calls = 1
        while case .hold = action, calls < 100 {
            action = journey.next(after: .holdFailed(.unknown), now: .seconds(2))
            calls += 1
        }
        #expect(action == .finish(.error))
        #expect(calls == 4)  // the first hold, two retries with its key, then the end
    }

    @Test func unknownCheckoutIsRetriedThenPolledUntilTerminal() {
        var journey = ShopperJourney(plan: Self.plan(checkout: .pay(token: "tok_timeout_charge")), limits: Self.limits())
        _ = journey.start(now: .zero)
        _ = journey.next(after: Self.admitted, now: .zero)
        _ = journey.next(after: .held(booking: "b1"), now: .zero)
        #expect(journey.next(after: .bookingCallFailed(.unknown), now: .seconds(1))
                == .checkout(booking: "b1", paymentToken: "tok_timeout_charge", key: "u1-checkout"))
        #expect(journey.next(after: .bookingCallFailed(.unknown), now: .seconds(2))
                == .pollBooking(booking: "b1", after: .milliseconds(250)))
        #expect(journey.next(after: .booking(.paymentPending), now: .seconds(3))
                == .pollBooking(booking: "b1", after: .milliseconds(500)))
        #expect(journey.next(after: .bookingCallFailed(.unknown), now: .seconds(4))
                == .pollBooking(booking: "b1", after: .seconds(1)))
        #expect(journey.next(after: .booking(.refunded), now: .seconds(5)) == .finish(.refunded))
    }

    @Test func pendingPollingIsBounded() {
        var journey = ShopperJourney(plan: Self.plan(), limits: Self.limits())
        _ = journey.start(now: .zero)
        _ = journey.next(after: Self.admitted, now: .zero)
        _ = journey.next(after: .held(booking: "b1"), now: .zero)
        #expect(journey.next(after: .booking(.paymentPending), now: .seconds(1)) == .pollBooking(booking: "b1", after: .milliseconds(250)))
        #expect(journey.next(after: .booking(.paymentPending), now: .seconds(5)) == .pollBooking(booking: "b1", after: .milliseconds(500)))
        #expect(journey.next(after: .booking(.paymentPending), now: .seconds(12)) == .finish(.unresolved))
    }

    @Test func refusedCheckoutEnds() {
        var journey = ShopperJourney(plan: Self.plan(), limits: Self.limits())
        _ = journey.start(now: .zero)
        _ = journey.next(after: Self.admitted, now: .zero)
        _ = journey.next(after: .held(booking: "b1"), now: .zero)
        #expect(journey.next(after: .bookingCallFailed(.failed), now: .seconds(1)) == .finish(.checkoutRefused))
    }

    @Test func abandonAndCancel() {
        var abandoner = ShopperJourney(plan: Self.plan(checkout: .abandon), limits: Self.limits())
        _ = abandoner.start(now: .zero)
        _ = abandoner.next(after: Self.admitted, now: .zero)
        #expect(abandoner.next(after: .held(booking: "b1"), now: .zero) == .finish(.abandoned))

        var canceller = ShopperJourney(plan: Self.plan(checkout: .cancel), limits: Self.limits())
        _ = canceller.start(now: .zero)
        _ = canceller.next(after: Self.admitted, now: .zero)
        #expect(canceller.next(after: .held(booking: "b1"), now: .zero) == .cancel(booking: "b1", key: "u1-cancel"))
        #expect(canceller.next(after: .bookingCallFailed(.unknown), now: .zero) == .cancel(booking: "b1", key: "u1-cancel"))
        #expect(canceller.next(after: .booking(.cancelled), now: .zero) == .finish(.cancelled))
    }

    @Test func anAnswerOutOfStepEndsTheJourneyInsteadOfLooping() {
        var journey = ShopperJourney(plan: Self.plan(), limits: Self.limits())
        _ = journey.start(now: .zero)
        #expect(journey.next(after: .held(booking: "b1"), now: .zero) == .finish(.error))
        #expect(journey.next(after: Self.admitted, now: .zero) == .finish(.error))
    }

    @Test func admittedWithoutTokenIsAnError() {
        var journey = ShopperJourney(plan: Self.plan(), limits: Self.limits())
        _ = journey.start(now: .zero)
        #expect(journey.next(after: .queue(.init(ticket: "t1", state: .admitted)), now: .zero) == .finish(.error))
    }
}
