/// Decides each admission round: how much admission credit has accrued, how many users to let in,
/// and how the rate moves with downstream health. A value type without I/O; the waiting room
/// reads the state from Redis, asks ``nextRound(from:now:saleOpensAt:waiting:health:)``, and
/// writes the answer back atomically.
///
/// Credit accrues at the current rate from the later of the last round (if any) and the sale's opening,
/// capped at `max(batchSize, rate × burstWindow)` so a pause does not release a flood. A round
/// admits whole batches while at least a batch is waiting, or everyone when fewer than a batch
/// wait and the credit covers them all. Users the round finds abandoned cost no credit.
public struct AdmissionPolicy: Sendable, Hashable, Codable {
    /// How many users are let in together.
    public var batchSize: Int
    /// How fast users are let in.
    public var rate: AdmissionRate
    /// The most credit that can build up while nobody is waiting, in time at the current rate.
    public var burstWindow: Duration

    /// Creates a policy.
    public init(batchSize: Int, rate: AdmissionRate, burstWindow: Duration = .seconds(1)) {
        self.batchSize = batchSize
        self.rate = rate
        self.burstWindow = burstWindow
    }

    /// What is wrong with the policy, or `nil` when it is usable.
    public var problem: String? {
        guard batchSize > 0 else { return "batch size must be positive, not \(batchSize)" }
        guard burstWindow >= .zero else { return "burst window must not be negative" }
        switch rate {
        case .fixed(let perSecond):
            guard perSecond >= 0, perSecond.isFinite else { return "admission rate must be a non-negative number, not \(perSecond)" }
            return nil
        case .followingHealth(let following):
            return following.problem
        }
    }

    /// The rate a fresh room starts with.
    public var initialRate: Double {
        switch rate {
        case .fixed(let perSecond): perSecond
        case .followingHealth(let following): following.initialPerSecond
        }
    }

    /// One round's decision at `now` (milliseconds since 1970).
    ///
    /// - Parameters:
    ///   - state: The room's state after the previous round.
    ///   - saleOpensAt: Milliseconds since 1970; nobody is admitted before it.
    ///   - waiting: Users in line (some may turn out abandoned).
    ///   - health: The latest downstream health, or `nil` when nothing was observed lately.
    public func nextRound(from state: AdmissionState, now: Int64, saleOpensAt: Int64, waiting: Int,
                          health: DownstreamHealth?) -> AdmissionDecision {
        var next = state
        var currentRate = clampedRate(state.ratePerSecond)
        next.ratePerSecond = currentRate
        guard now >= saleOpensAt else {
            next.credit = 0
            next.lastRound = now
            return AdmissionDecision(admit: 0, state: next)
        }
        // Credit accrues at the rate that was in force since the last round, then the rate may move.
        let accrualStart = max(state.lastRound ?? saleOpensAt, saleOpensAt)
        let elapsedMilliseconds = Double(max(0, now - accrualStart))
        next.credit = min(creditCap(at: currentRate), max(0, state.credit) + currentRate * elapsedMilliseconds / 1_000)
        next.lastRound = max(now, state.lastRound ?? now)

        if case .followingHealth(let following) = rate, let health {
            let due = state.lastRateChange.map { now - $0 >= WaitingRoomTime.milliseconds(following.adjustmentInterval) } ?? true
            if due {
                currentRate = following.adjusted(currentRate, health: health, demand: waiting > 0)
                next.ratePerSecond = currentRate
                next.lastRateChange = now
                next.credit = min(next.credit, creditCap(at: currentRate))
            }
        }
        return AdmissionDecision(admit: admissions(credit: next.credit, waiting: waiting), state: next)
    }

    /// How many of `waiting` users `credit` lets in: whole batches, or all of a short line.
    func admissions(credit: Double, waiting: Int) -> Int {
        // A hair of tolerance: credit built from decimal rates and instants may land just below a whole user.
        let affordable = Int((credit + 1e-9).rounded(.down))
        guard waiting > 0, affordable > 0 else { return 0 }
        if waiting < batchSize { return affordable >= waiting ? waiting : 0 }
        return min(affordable, waiting) / batchSize * batchSize
    }

    private func creditCap(at ratePerSecond: Double) -> Double {
        max(Double(batchSize), ratePerSecond * Double(WaitingRoomTime.milliseconds(burstWindow)) / 1_000)
    }

    /// A stored rate within the policy's bounds (the policy may have changed since it was stored).
    private func clampedRate(_ stored: Double?) -> Double {
        switch rate {
        case .fixed(let perSecond):
            return perSecond
        case .followingHealth(let following):
            guard let stored, stored.isFinite else { return following.initialPerSecond }
            return min(following.maximumPerSecond, max(following.minimumPerSecond, stored))
        }
    }
}

/// A waiting room's admission state between rounds, kept in Redis.
public struct AdmissionState: Sendable, Hashable {
    /// Unspent admission credit, in users.
    public var credit: Double
    /// When the last round ran (milliseconds since 1970), `nil` before the first.
    public var lastRound: Int64?
    /// The rate in force, `nil` before the first round.
    public var ratePerSecond: Double?
    /// When a health-following rate last changed (milliseconds since 1970).
    public var lastRateChange: Int64?

    /// Creates a state; the defaults are a room that never ran a round.
    public init(credit: Double = 0, lastRound: Int64? = nil, ratePerSecond: Double? = nil, lastRateChange: Int64? = nil) {
        self.credit = credit
        self.lastRound = lastRound
        self.ratePerSecond = ratePerSecond
        self.lastRateChange = lastRateChange
    }
}

/// The outcome of ``AdmissionPolicy/nextRound(from:now:saleOpensAt:waiting:health:)``.
public struct AdmissionDecision: Sendable, Hashable {
    /// How many users to let in now.
    public var admit: Int
    /// The state to store; its credit does not yet count the users let in (the round subtracts
    /// those it actually admits).
    public var state: AdmissionState
}
