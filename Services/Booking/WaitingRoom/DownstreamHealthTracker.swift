import Synchronization

/// Collects the outcomes of hold calls and answers the recent ``DownstreamHealth`` that a
/// health-following admission rate reads. The booking service records every inventory hold
/// call here; `WaitingRoom(health: { tracker.currentHealth() })` reads it. Thread-safe.
public final class DownstreamHealthTracker: Sendable {
    private let window: Mutex<HealthWindow>

    /// Creates a tracker.
    ///
    /// - Parameters:
    ///   - smoothing: Weight of each new sample in the moving averages, in (0, 1].
    ///   - staleAfter: With no sample for this long the tracker knows nothing (the rate holds still).
    public init(smoothing: Double = 0.2, staleAfter: Duration = .seconds(10)) {
        window = Mutex(HealthWindow(smoothing: smoothing, staleAfter: staleAfter))
    }

    /// Records one hold call: how long it took and whether it failed for reasons of the backend
    /// (unavailable, deadline exceeded, internal — not sold out or bad input).
    public func record(latency: Duration, failed: Bool, at instant: ContinuousClock.Instant = .now) {
        window.withLock { $0.record(latency: latency, failed: failed, at: instant) }
    }

    /// The recent health, or `nil` when no call was recorded lately.
    public func currentHealth(at instant: ContinuousClock.Instant = .now) -> DownstreamHealth? {
        window.withLock { $0.health(at: instant) }
    }
}

/// Exponential moving averages of hold latency and failure share, forgotten when stale.
struct HealthWindow: Sendable {
    let smoothing: Double
    let staleAfter: Duration
    private var latencySeconds: Double?
    private var errorRate = 0.0
    private var lastSample: ContinuousClock.Instant?

    init(smoothing: Double, staleAfter: Duration) {
        precondition(smoothing > 0 && smoothing <= 1, "smoothing must lie in (0, 1]")
        self.smoothing = smoothing
        self.staleAfter = staleAfter
    }

    mutating func record(latency: Duration, failed: Bool, at instant: ContinuousClock.Instant) {
        let seconds = Double(latency.components.seconds) + Double(latency.components.attoseconds) / 1e18
        if let previous = latencySeconds, let last = lastSample, instant - last <= staleAfter {
            latencySeconds = previous + smoothing * (seconds - previous)
            errorRate += smoothing * ((failed ? 1 : 0) - errorRate)
        } else {
            latencySeconds = seconds
            errorRate = failed ? 1 : 0
        }
        lastSample = max(lastSample ?? instant, instant)
    }

    func health(at instant: ContinuousClock.Instant) -> DownstreamHealth? {
        guard let latencySeconds, let lastSample, instant - lastSample <= staleAfter else { return nil }
        return DownstreamHealth(latency: .microseconds(Int64((latencySeconds * 1e6).rounded())), errorRate: errorRate)
    }
}
