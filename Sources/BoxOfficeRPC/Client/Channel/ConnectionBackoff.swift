/// Exponential backoff with jitter between connection attempts to one endpoint
/// (grpc/doc/connection-backoff.md).
public struct ConnectionBackoff: Sendable, Hashable {
    /// The delay after the first failure.
    public var initial: Duration
    /// The growth factor per further failure.
    public var multiplier: Double
    /// Relative randomisation of each delay: 0.2 means ±20 %.
    public var jitter: Double
    /// The largest delay.
    public var maximum: Duration

    /// Creates a backoff policy; the defaults are gRPC's (1 s, ×1.6, ±20 %, at most 120 s).
    public init(initial: Duration = .seconds(1), multiplier: Double = 1.6, jitter: Double = 0.2,
                maximum: Duration = .seconds(120)) {
        self.initial = initial
        self.multiplier = multiplier
        self.jitter = jitter
        self.maximum = maximum
    }

    /// The un-jittered delay after `failures` consecutive failures (1 or more).
    public func baseDelay(afterFailures failures: Int) -> Duration {
        let initialSeconds = Self.seconds(initial)
        let maximumSeconds = Self.seconds(maximum)
        var delay = initialSeconds
        for _ in 1..<max(1, failures) where delay < maximumSeconds {
            delay *= multiplier
        }
        return .nanoseconds(Int64(min(delay, maximumSeconds) * 1e9))
    }

    /// The delay to wait after `failures` consecutive failures, jittered by `generator`.
    public func delay(afterFailures failures: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let base = Self.seconds(baseDelay(afterFailures: failures))
        let factor = jitter > 0 ? Double.random(in: (1 - jitter)...(1 + jitter), using: &generator) : 1
        return .nanoseconds(Int64(max(0, base * factor) * 1e9))
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
