import BoxOfficeBooking
import Testing

/// The hold-path health that a health-following admission rate reads.
@Suite struct DownstreamHealthTrackerTests {
    static let start = ContinuousClock.now

    @Test func knowsNothingBeforeTheFirstSample() {
        #expect(DownstreamHealthTracker().currentHealth(at: Self.start) == nil)
    }

    @Test func theFirstSampleIsTheReading() {
        let tracker = DownstreamHealthTracker(smoothing: 0.5)
        tracker.record(latency: .milliseconds(40), failed: false, at: Self.start)
        #expect(tracker.currentHealth(at: Self.start) == DownstreamHealth(latency: .milliseconds(40), errorRate: 0))
    }

    @Test func laterSamplesMoveTheAveragesBySmoothing() {
        let tracker = DownstreamHealthTracker(smoothing: 0.5)
        tracker.record(latency: .milliseconds(40), failed: false, at: Self.start)
        tracker.record(latency: .milliseconds(80), failed: true, at: Self.start + .milliseconds(10))
        tracker.record(latency: .milliseconds(100), failed: true, at: Self.start + .milliseconds(20))
        let health = tracker.currentHealth(at: Self.start + .milliseconds(30))
        #expect(health == DownstreamHealth(latency: .milliseconds(80), errorRate: 0.75))
    }

    @Test func staleReadingsAreForgotten() {
        let tracker = DownstreamHealthTracker(smoothing: 0.5, staleAfter: .seconds(5))
        tracker.record(latency: .seconds(3), failed: true, at: Self.start)
        #expect(tracker.currentHealth(at: Self.start + .seconds(5)) != nil)
        #expect(tracker.currentHealth(at: Self.start + .seconds(6)) == nil)
        // A sample after a stale gap starts afresh rather than averaging with the old one.
        tracker.record(latency: .milliseconds(10), failed: false, at: Self.start + .seconds(7))
        #expect(tracker.currentHealth(at: Self.start + .seconds(7)) == DownstreamHealth(latency: .milliseconds(10), errorRate: 0))
    }
}
