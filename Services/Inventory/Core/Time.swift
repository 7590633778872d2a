public import Foundation

extension Date {
    /// Milliseconds since 1970, the unit the hold stores keep instants in.
    public var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1_000).rounded(.down)) }

    /// The instant `milliseconds` after 1970.
    public init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1_000)
    }

    /// This instant moved by `duration`, truncated to whole milliseconds.
    public func adding(_ duration: Duration) -> Date {
        Date(millisecondsSince1970: millisecondsSince1970 + duration.inMilliseconds)
    }
}

extension Duration {
    /// Whole milliseconds (truncated).
    public var inMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
