/// Per-call settings: time budget, extra metadata and whether to wait for a connection.
public struct CallOptions: Sendable {
    /// The call's time budget from when it starts; combined with ``deadline`` and the task-local
    /// ``RPCDeadline/current`` — the earliest wins.
    public var timeout: Duration?
    /// An absolute deadline; combined with ``timeout`` and ``RPCDeadline/current``.
    public var deadline: ContinuousClock.Instant?
    /// Metadata added to every request made with these options (after the request's own).
    public var metadata: Metadata
    /// Wait (until the deadline) for an endpoint that is backing off instead of failing at once
    /// with UNAVAILABLE.
    public var waitForReady: Bool

    /// Options with no deadline, no extra metadata and fail-fast behaviour.
    public init(timeout: Duration? = nil, deadline: ContinuousClock.Instant? = nil, metadata: Metadata = [:],
                waitForReady: Bool = false) {
        self.timeout = timeout
        self.deadline = deadline
        self.metadata = metadata
        self.waitForReady = waitForReady
    }

    /// No deadline, no extra metadata, fail fast.
    public static var defaults: CallOptions { CallOptions() }

    /// The earliest of the timeout (from `now`), the deadline and the inherited deadline.
    func effectiveDeadline(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        [timeout.map { now + $0 }, deadline, RPCDeadline.current].compactMap { $0 }.min()
    }
}
