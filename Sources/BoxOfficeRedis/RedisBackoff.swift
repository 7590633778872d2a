/// Exponential backoff: `initial`, doubling per attempt, capped at `maximum`.
///
/// Deterministic on purpose (tests pin the schedule); spread reconnect storms by giving
/// instances different `initial` values if needed.
public struct RedisBackoff: Sendable, Hashable {
    /// The delay before the first retry.
    public var initial: Duration
    /// The longest delay.
    public var maximum: Duration

    /// Creates a backoff schedule.
    public init(initial: Duration = .milliseconds(50), maximum: Duration = .seconds(2)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before retry number `attempt` (0-based).
    public func delay(forAttempt attempt: Int) -> Duration {
        var delay = initial
        for _ in 0..<min(max(attempt, 0), 40) {
            delay *= 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }
}
