/// Timeouts, backoff and windows the saga uses to build calls. Configuration, not persisted state:
/// the service passes the same policy to every `handle` and `resume`.
public struct SagaPolicy: Hashable, Sendable {
    /// Deadline budget of one inventory call or GetPayment / Refund.
    public var callTimeout: Duration = .seconds(5)
    /// Deadline budget of one Charge: payment's provider timeout (30 s) plus a margin.
    public var chargeTimeout: Duration = .seconds(35)
    /// No call deadline is shorter than this, even when the window it belongs to is nearly over:
    /// a late retry must still be able to learn the outcome of an earlier attempt.
    public var minimumCallBudget: Duration = .seconds(1)
    /// How long past its deadline an in-flight call may stay unanswered before ``SagaEvent/timerFired``
    /// (or a recovery worker) treats it as lost and repeats it.
    public var lostCallGrace: Duration = .seconds(2)
    /// First retry delay after a failed call; doubles per attempt up to ``maximumBackoff``.
    public var initialBackoff: Duration = .milliseconds(100)
    /// The cap of the retry delay. Retries themselves are unbounded: an unknown outcome is never guessed.
    public var maximumBackoff: Duration = .seconds(10)
    /// How long a pending payment keeps the seats (PinHold's `pin_for`; inventory bounds it).
    public var pinDuration: Duration = .seconds(15 * 60)
    /// The charge must be decided this long before the pin ends, so the confirm still finds the hold.
    public var paymentDecisionMargin: Duration = .seconds(60)
    /// First GetPayment poll while the payment is pending; doubles up to ``maximumPollInterval``.
    public var pollInterval: Duration = .seconds(2)
    /// The cap of the poll interval.
    public var maximumPollInterval: Duration = .seconds(30)

    /// The production defaults.
    public init() {}

    /// Retry delay after the `attempt`-th failed attempt (1-based).
    func backoff(afterAttempt attempt: Int) -> Duration {
        Self.doubling(initialBackoff, times: attempt - 1, cap: maximumBackoff)
    }

    /// Delay before the poll that follows `polls` earlier polls.
    func pollDelay(afterPolls polls: Int) -> Duration {
        Self.doubling(pollInterval, times: polls, cap: maximumPollInterval)
    }

    private static func doubling(_ base: Duration, times: Int, cap: Duration) -> Duration {
        var delay = base
        var remaining = max(0, times)
        while remaining > 0 && delay < cap {
            delay *= 2
            remaining -= 1
        }
        return min(delay, cap)
    }
}
