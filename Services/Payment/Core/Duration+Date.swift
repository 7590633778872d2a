import Foundation

extension Date {
    /// This instant moved by a `Duration`.
    func adding(_ duration: Duration) -> Date {
        addingTimeInterval(duration.timeInterval)
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// A duration from (fractional) seconds.
    init(timeInterval: TimeInterval) {
        self = .milliseconds(Int64((timeInterval * 1000).rounded()))
    }
}
