/// Exponential backoff for webhook redelivery: `initial`, then doubling, never above `maximum`.
public struct RetryBackoff: Sendable, Hashable {
    /// Wait before the second delivery attempt.
    public var initial: Duration
    /// The longest wait between two attempts.
    public var maximum: Duration
    /// Attempts after which an unacknowledged delivery is abandoned.
    public var maxAttempts: Int

    /// Creates a value from its fields.
    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(3600), maxAttempts: Int = 30) {
        self.initial = initial
        self.maximum = maximum
        self.maxAttempts = maxAttempts
    }

    /// The wait after `failedAttempts` failed attempts (1 → `initial`, 2 → twice that, …).
    public func delay(afterFailedAttempts failedAttempts: Int) -> Duration {
        var delay = initial
        var step = 1
        while step < failedAttempts, delay < maximum {
            delay *= 2
            step += 1
        }
        return min(delay, maximum)
    }
}
