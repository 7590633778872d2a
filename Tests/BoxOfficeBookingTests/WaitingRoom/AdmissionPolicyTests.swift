import BoxOfficeBooking
import Testing

/// The admission policy without I/O: credit, batches, opening, and a rate that follows health.
@Suite struct AdmissionPolicyTests {
    static let opens: Int64 = 1_000_000
    static let fixed = AdmissionPolicy(batchSize: 10, rate: .fixed(perSecond: 50))

    static let following = HealthFollowingRate(initialPerSecond: 20, minimumPerSecond: 5, maximumPerSecond: 40,
                                               increasePerSecond: 5, decreaseFactor: 0.5, latencyTarget: .milliseconds(200),
                                               errorRateLimit: 0.1, adjustmentInterval: .seconds(1))
    static let healthy = DownstreamHealth(latency: .milliseconds(20), errorRate: 0)
    static let slow = DownstreamHealth(latency: .milliseconds(900), errorRate: 0)
    static let failing = DownstreamHealth(latency: .milliseconds(20), errorRate: 0.3)

    /// Runs rounds every `step` for `rounds` rounds with `waiting` users always in line; returns the admissions.
    static func simulate(_ policy: AdmissionPolicy, step: Int64, rounds: Int, waiting: Int = 1_000_000,
                         health: DownstreamHealth? = nil) -> (admitted: Int, state: AdmissionState) {
        var state = AdmissionState()
        var admitted = 0
        var now = opens
        for _ in 0..<rounds {
            now += step
            var decision = policy.nextRound(from: state, now: now, saleOpensAt: opens, waiting: waiting - admitted, health: health)
            admitted += decision.admit
            decision.state.credit -= Double(decision.admit)
            state = decision.state
        }
        return (admitted, state)
    }

    @Test func nobodyIsAdmittedBeforeTheSaleOpens() {
        let decision = Self.fixed.nextRound(from: AdmissionState(credit: 7), now: Self.opens - 1, saleOpensAt: Self.opens,
                                            waiting: 100, health: nil)
        #expect(decision.admit == 0)
        #expect(decision.state.credit == 0)
        #expect(decision.state.lastRound == Self.opens - 1)
    }

    @Test func creditAccruesFromTheOpeningNotFromTheLastRoundBeforeIt() {
        let before = AdmissionState(credit: 0, lastRound: Self.opens - 60_000, ratePerSecond: 50)
        // 200 ms after opening at 50/s: 10 credits, exactly one batch.
        let decision = Self.fixed.nextRound(from: before, now: Self.opens + 200, saleOpensAt: Self.opens, waiting: 100, health: nil)
        #expect(decision.state.credit == 10)
        #expect(decision.admit == 10)
    }

    @Test func theFirstRoundEverAccruesFromTheOpening() {
        let decision = Self.fixed.nextRound(from: AdmissionState(), now: Self.opens + 400, saleOpensAt: Self.opens, waiting: 100,
                                            health: nil)
        #expect(decision.state.credit == 20)
        #expect(decision.admit == 20)
        let longOpen = Self.fixed.nextRound(from: AdmissionState(), now: Self.opens + 86_400_000, saleOpensAt: Self.opens,
                                            waiting: 100, health: nil)
        #expect(longOpen.state.credit == 50, "capped at one burst window")
    }

    @Test(arguments: [
        // (credit, waiting, admitted)
        (0.0, 100, 0), (9.99, 100, 0), (10.0, 100, 10), (19.5, 100, 10), (20.0, 100, 20), (25.0, 100, 20),
        (20.0, 15, 10), (3.0, 3, 3), (2.9, 3, 0), (50.0, 7, 7), (50.0, 0, 0), (0.5, 1, 0), (1.0, 1, 1),
    ])
    func admitsWholeBatchesOrAShortLineAtOnce(credit: Double, waiting: Int, admitted: Int) {
        let state = AdmissionState(credit: credit, lastRound: Self.opens + 1_000, ratePerSecond: 50)
        let decision = Self.fixed.nextRound(from: state, now: Self.opens + 1_000, saleOpensAt: Self.opens, waiting: waiting, health: nil)
        #expect(decision.admit == admitted)
    }

    @Test func idleTimeBuildsAtMostOneBurstWindowOfCredit() {
        let state = AdmissionState(credit: 0, lastRound: Self.opens, ratePerSecond: 50)
        let decision = Self.fixed.nextRound(from: state, now: Self.opens + 3_600_000, saleOpensAt: Self.opens, waiting: 0, health: nil)
        #expect(decision.state.credit == 50)
        let smallRate = AdmissionPolicy(batchSize: 10, rate: .fixed(perSecond: 2))
        let capped = smallRate.nextRound(from: state, now: Self.opens + 3_600_000, saleOpensAt: Self.opens, waiting: 0, health: nil)
        #expect(capped.state.credit == 10, "never less than one batch")
    }

    @Test(arguments: [(50.0, 10, Int64(100)), (50.0, 10, 250), (100.0, 1, 250), (7.0, 3, 130), (200.0, 50, 200), (1.0, 1, 100)])
    func fixedRateIsKeptWithinOneBatch(perSecond: Double, batch: Int, step: Int64) {
        let policy = AdmissionPolicy(batchSize: batch, rate: .fixed(perSecond: perSecond))
        let rounds = Int(60_000 / step)
        let expected = perSecond * Double(Int64(rounds) * step) / 1_000
        let admitted = Double(Self.simulate(policy, step: step, rounds: rounds).admitted)
        #expect(abs(admitted - expected) <= Double(batch), "admitted \(admitted), expected \(expected)")
        #expect(abs(admitted - expected) <= expected * 0.1)
    }

    @Test func zeroRatePausesAdmission() {
        let paused = AdmissionPolicy(batchSize: 5, rate: .fixed(perSecond: 0))
        #expect(Self.simulate(paused, step: 100, rounds: 100).admitted == 0)
    }

    @Test func aClockThatGoesBackAddsNoCredit() {
        let state = AdmissionState(credit: 3, lastRound: Self.opens + 10_000, ratePerSecond: 50)
        let decision = Self.fixed.nextRound(from: state, now: Self.opens + 9_000, saleOpensAt: Self.opens, waiting: 100, health: nil)
        #expect(decision.state.credit == 3)
        #expect(decision.state.lastRound == Self.opens + 10_000, "the stored round instant never moves back")
    }

    // MARK: Rate following health

    static func followingPolicy() -> AdmissionPolicy { AdmissionPolicy(batchSize: 5, rate: .followingHealth(following)) }

    @Test func startsAtTheInitialRateWithoutHealth() {
        let result = Self.simulate(Self.followingPolicy(), step: 100, rounds: 100, health: nil)
        #expect(result.state.ratePerSecond == 20)
        #expect(abs(Double(result.admitted) - 200) <= 5)
    }

    @Test func badLatencyHalvesTheRateDownToTheMinimum() {
        var state = AdmissionState(ratePerSecond: 20)
        var rates: [Double] = []
        var now = Self.opens
        for _ in 0..<4 {
            now += 1_000
            state = Self.followingPolicy().nextRound(from: state, now: now, saleOpensAt: Self.opens, waiting: 100, health: Self.slow).state
            rates.append(state.ratePerSecond ?? -1)
        }
        #expect(rates == [10, 5, 5, 5])
    }

    @Test func errorsAloneAlsoSlowAdmissionDown() {
        let state = AdmissionState(ratePerSecond: 20)
        let next = Self.followingPolicy().nextRound(from: state, now: Self.opens + 1_000, saleOpensAt: Self.opens, waiting: 100,
                                                    health: Self.failing).state
        #expect(next.ratePerSecond == 10)
    }

    @Test func goodHealthRaisesTheRateStepwiseUpToTheMaximum() {
        var state = AdmissionState(ratePerSecond: 20)
        var rates: [Double] = []
        var now = Self.opens
        for _ in 0..<6 {
            now += 1_000
            state = Self.followingPolicy().nextRound(from: state, now: now, saleOpensAt: Self.opens, waiting: 100, health: Self.healthy).state
            rates.append(state.ratePerSecond ?? -1)
        }
        #expect(rates == [25, 30, 35, 40, 40, 40])
    }

    @Test func theRateDoesNotGrowWhileNobodyWaits() {
        let next = Self.followingPolicy().nextRound(from: AdmissionState(ratePerSecond: 20), now: Self.opens + 1_000,
                                                    saleOpensAt: Self.opens, waiting: 0, health: Self.healthy).state
        #expect(next.ratePerSecond == 20)
    }

    @Test func theRateMovesAtMostOncePerAdjustmentInterval() {
        var state = AdmissionState(ratePerSecond: 20)
        var now = Self.opens
        var rates: [Double] = []
        for _ in 0..<10 {
            now += 250
            state = Self.followingPolicy().nextRound(from: state, now: now, saleOpensAt: Self.opens, waiting: 100, health: Self.healthy).state
            rates.append(state.ratePerSecond ?? -1)
        }
        // First change at once, then one every 1 s (every fourth round of 250 ms).
        #expect(rates == [25, 25, 25, 25, 30, 30, 30, 30, 35, 35])
    }

    @Test func aStoredRateOutsideNewBoundsIsClamped() {
        let high = Self.followingPolicy().nextRound(from: AdmissionState(ratePerSecond: 500), now: Self.opens + 100,
                                                    saleOpensAt: Self.opens, waiting: 1, health: nil)
        #expect(high.state.ratePerSecond == 40)
        let low = Self.followingPolicy().nextRound(from: AdmissionState(ratePerSecond: 0.1), now: Self.opens + 100,
                                                   saleOpensAt: Self.opens, waiting: 1, health: nil)
        #expect(low.state.ratePerSecond == 5)
        let fixedAfterFollowing = Self.fixed.nextRound(from: AdmissionState(ratePerSecond: 3), now: Self.opens + 100,
                                                       saleOpensAt: Self.opens, waiting: 1, health: Self.slow)
        #expect(fixedAfterFollowing.state.ratePerSecond == 50, "a fixed rate ignores health and the stored rate")
    }

    @Test func admissionsFollowTheChangingRate() {
        // 10 s healthy (rate climbs to the 40/s maximum), then 10 s slow (falls to the 5/s minimum).
        var state = AdmissionState()
        var now = Self.opens
        var admittedHealthy = 0
        var admittedSlow = 0
        for round in 0..<200 {
            now += 100
            let health = round < 100 ? Self.healthy : Self.slow
            var decision = Self.followingPolicy().nextRound(from: state, now: now, saleOpensAt: Self.opens, waiting: 10_000, health: health)
            if round < 100 { admittedHealthy += decision.admit } else { admittedSlow += decision.admit }
            decision.state.credit -= Double(decision.admit)
            state = decision.state
        }
        #expect(admittedHealthy > 300)
        #expect(admittedSlow < 100)
        #expect(state.ratePerSecond == 5)
    }

    // MARK: Validation

    @Test(arguments: [
        AdmissionPolicy(batchSize: 0, rate: .fixed(perSecond: 5)),
        AdmissionPolicy(batchSize: 5, rate: .fixed(perSecond: -1)),
        AdmissionPolicy(batchSize: 5, rate: .fixed(perSecond: .infinity)),
        AdmissionPolicy(batchSize: 5, rate: .fixed(perSecond: .nan)),
        AdmissionPolicy(batchSize: 5, rate: .fixed(perSecond: 5), burstWindow: .seconds(-1)),
        AdmissionPolicy(batchSize: 5, rate: .followingHealth(HealthFollowingRate(initialPerSecond: 5, minimumPerSecond: 0, maximumPerSecond: 10))),
        AdmissionPolicy(batchSize: 5, rate: .followingHealth(HealthFollowingRate(initialPerSecond: 5, minimumPerSecond: 6, maximumPerSecond: 5))),
        AdmissionPolicy(batchSize: 5, rate: .followingHealth(HealthFollowingRate(initialPerSecond: 50, maximumPerSecond: 10))),
        AdmissionPolicy(batchSize: 5, rate: .followingHealth(HealthFollowingRate(initialPerSecond: 5, maximumPerSecond: 10, decreaseFactor: 1))),
        AdmissionPolicy(batchSize: 5, rate: .followingHealth(HealthFollowingRate(initialPerSecond: 5, maximumPerSecond: 10, errorRateLimit: 2))),
        AdmissionPolicy(batchSize: 5, rate: .followingHealth(HealthFollowingRate(initialPerSecond: 5, maximumPerSecond: 10, adjustmentInterval: .zero))),
    ])
    func unusablePoliciesAreNamed(policy: AdmissionPolicy) {
        #expect(policy.problem != nil)
    }

    @Test func usablePoliciesHaveNoProblem() {
        #expect(Self.fixed.problem == nil)
        #expect(Self.followingPolicy().problem == nil)
        #expect(AdmissionPolicy(batchSize: 1, rate: .fixed(perSecond: 0)).problem == nil)
    }
}
