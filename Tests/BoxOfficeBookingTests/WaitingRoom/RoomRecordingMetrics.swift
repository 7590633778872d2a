import Metrics
import Synchronization

/// A metrics factory that keeps the last value of each gauge and the total of each counter, by
/// label and `event` dimension, so a test can read what the waiting room reported.
final class RoomRecordingMetrics: MetricsFactory, Sendable {
    private let values = Mutex<[String: Double]>([:])

    /// The last value or total recorded for `label` of `event`.
    func value(_ label: String, event: Int64) -> Double? {
        values.withLock { $0["\(label)|\(event)"] }
    }

    private func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        "\(label)|\(dimensions.first { $0.0 == "event" }?.1 ?? "")"
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(key: key(label, dimensions), values: self)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Handler(key: key(label, dimensions), values: self)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Handler(key: key(label, dimensions), values: self)
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    fileprivate func add(_ key: String, _ amount: Double) { values.withLock { $0[key, default: 0] += amount } }
    fileprivate func set(_ key: String, _ value: Double) { values.withLock { $0[key] = value } }

    private final class Handler: CounterHandler, RecorderHandler, TimerHandler, Sendable {
        let key: String
        let values: RoomRecordingMetrics

        init(key: String, values: RoomRecordingMetrics) {
            self.key = key
            self.values = values
        }

        func increment(by amount: Int64) { values.add(key, Double(amount)) }
        func reset() { values.set(key, 0) }
        func record(_ value: Int64) { values.set(key, Double(value)) }
        func record(_ value: Double) { values.set(key, value) }
        func recordNanoseconds(_ duration: Int64) { values.set(key, Double(duration)) }
    }
}
