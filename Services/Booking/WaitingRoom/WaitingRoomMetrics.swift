import Metrics
import Synchronization

/// The waiting rooms' metrics, per event: `booking_waiting_room_length` (gauge, users waiting),
/// `booking_waiting_room_admission_rate` (gauge, users a second in force),
/// `booking_waiting_room_admitted_total` and `booking_waiting_room_abandoned_total` (counters).
final class WaitingRoomMetrics: Sendable {
    private struct EventMetrics {
        let length: Gauge
        let rate: Gauge
        let admitted: Counter
        let abandoned: Counter
    }

    private let factory: any MetricsFactory
    private let byEvent = Mutex<[Int64: EventMetrics]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Records one admission round of `eventID`.
    func recordRound(eventID: Int64, admitted: Int, abandoned: Int, waiting: Int, ratePerSecond: Double) {
        let metrics = self.metrics(eventID)
        metrics.length.record(waiting)
        metrics.rate.record(ratePerSecond)
        if admitted > 0 { metrics.admitted.increment(by: admitted) }
        if abandoned > 0 { metrics.abandoned.increment(by: abandoned) }
    }

    private func metrics(_ eventID: Int64) -> EventMetrics {
        byEvent.withLock { cache in
            if let existing = cache[eventID] { return existing }
            let dimensions = [("event", String(eventID))]
            let created = EventMetrics(
                length: Gauge(label: "booking_waiting_room_length", dimensions: dimensions, factory: factory),
                rate: Gauge(label: "booking_waiting_room_admission_rate", dimensions: dimensions, factory: factory),
                admitted: Counter(label: "booking_waiting_room_admitted_total", dimensions: dimensions, factory: factory),
                abandoned: Counter(label: "booking_waiting_room_abandoned_total", dimensions: dimensions, factory: factory))
            cache[eventID] = created
            return created
        }
    }
}
