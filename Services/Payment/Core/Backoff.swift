/// Exponential backoff: `initial`, doubling after each failure, never above `maximum`.
public struct Backoff: Sendable, Hashable {
    /// Wait after the first failure.
    public var initial: Duration
    /// The longest wait.
    public var maximum: Duration

    /// Creates a value from its fields.
    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait after `failures` consecutive failures (1 → `initial`, 2 → twice that, …).
    public func delay(afterFailures failures: Int) -> Duration {
        var delay = initial
        var step = 1
        while step < failures, delay < maximum {
            delay *= 2
            step += 1
        }
        return min(delay, maximum)
    }
}
