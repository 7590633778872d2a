/// How fast a waiting room lets people in: a fixed rate, or one that follows downstream health.
public enum AdmissionRate: Sendable, Hashable, Codable {
    /// Admits `perSecond` users a second; 0 pauses admission.
    case fixed(perSecond: Double)
    /// Starts at an initial rate and moves it with the health of the hold path (see ``HealthFollowingRate``).
    case followingHealth(HealthFollowingRate)
}

/// An admission rate that grows while holds are fast and succeed and shrinks when they slow down
/// or fail: additive increase, multiplicative decrease, within bounds, at most once per
/// ``adjustmentInterval``.
public struct HealthFollowingRate: Sendable, Hashable, Codable {
    /// The rate before any health was observed.
    public var initialPerSecond: Double
    /// The rate never drops below this (keeps the line moving while the backend recovers).
    public var minimumPerSecond: Double
    /// The rate never grows beyond this.
    public var maximumPerSecond: Double
    /// Added after each interval of good health while users are waiting.
    public var increasePerSecond: Double
    /// Multiplies the rate after an interval of bad health; in (0, 1).
    public var decreaseFactor: Double
    /// Health is bad when the typical hold latency is above this.
    public var latencyTarget: Duration
    /// Health is bad when the share of failed holds is above this; in [0, 1].
    public var errorRateLimit: Double
    /// The least time between two changes of the rate.
    public var adjustmentInterval: Duration

    /// Creates a health-following rate; the defaults suit a hold path answering in tens of milliseconds.
    public init(initialPerSecond: Double, minimumPerSecond: Double = 1, maximumPerSecond: Double,
                increasePerSecond: Double = 5, decreaseFactor: Double = 0.5,
                latencyTarget: Duration = .milliseconds(250), errorRateLimit: Double = 0.05,
                adjustmentInterval: Duration = .seconds(2)) {
        self.initialPerSecond = initialPerSecond
        self.minimumPerSecond = minimumPerSecond
        self.maximumPerSecond = maximumPerSecond
        self.increasePerSecond = increasePerSecond
        self.decreaseFactor = decreaseFactor
        self.latencyTarget = latencyTarget
        self.errorRateLimit = errorRateLimit
        self.adjustmentInterval = adjustmentInterval
    }

    /// Whether `health` calls for slowing down.
    func isDegraded(_ health: DownstreamHealth) -> Bool {
        health.latency > latencyTarget || health.errorRate > errorRateLimit
    }

    /// The rate after one adjustment from `rate` given `health`; `demand` says whether anyone waits.
    func adjusted(_ rate: Double, health: DownstreamHealth, demand: Bool) -> Double {
        if isDegraded(health) { return max(minimumPerSecond, rate * decreaseFactor) }
        guard demand else { return rate }
        return min(maximumPerSecond, rate + increasePerSecond)
    }

    /// The bounds and factors are usable, or what is wrong with them.
    var problem: String? {
        guard minimumPerSecond > 0, minimumPerSecond.isFinite else { return "minimum rate must be positive, not \(minimumPerSecond)" }
        guard maximumPerSecond >= minimumPerSecond, maximumPerSecond.isFinite else {
            return "maximum rate \(maximumPerSecond) must be at least the minimum \(minimumPerSecond)"
        }
        guard initialPerSecond >= minimumPerSecond, initialPerSecond <= maximumPerSecond else {
            return "initial rate \(initialPerSecond) must lie within [\(minimumPerSecond), \(maximumPerSecond)]"
        }
        guard increasePerSecond >= 0, increasePerSecond.isFinite else { return "rate increase must not be negative" }
        guard decreaseFactor > 0, decreaseFactor < 1 else { return "decrease factor must lie in (0, 1), not \(decreaseFactor)" }
        guard latencyTarget > .zero else { return "latency target must be positive" }
        guard errorRateLimit >= 0, errorRateLimit <= 1 else { return "error-rate limit must lie in [0, 1], not \(errorRateLimit)" }
        guard adjustmentInterval > .zero else { return "adjustment interval must be positive" }
        return nil
    }
}

/// What the hold path looked like lately, as a waiting room sees it.
public struct DownstreamHealth: Sendable, Hashable {
    /// Typical latency of a hold call (for example a moving average).
    public var latency: Duration
    /// Share of hold calls that failed for reasons of the backend (not sold-out answers); in [0, 1].
    public var errorRate: Double

    /// Creates a health reading.
    public init(latency: Duration, errorRate: Double) {
        self.latency = latency
        self.errorRate = errorRate
    }
}
