import Foundation

/// The waiting room's time arithmetic: instants are whole milliseconds since 1970, as Redis
/// scripts store them and as tokens carry them.
enum WaitingRoomTime {
    /// `duration` in whole milliseconds, truncated toward zero.
    static func milliseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return parts.seconds * 1_000 + parts.attoseconds / 1_000_000_000_000_000
    }

    /// `date` in whole milliseconds since 1970, to the nearest (a `Date` a few hundred
    /// nanoseconds off a millisecond must not fall into the one before).
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000).rounded())
    }

    /// The instant `milliseconds` after 1970.
    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1_000)
    }
}
