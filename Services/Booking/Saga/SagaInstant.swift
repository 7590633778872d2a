/// A wall-clock instant in whole milliseconds since the Unix epoch.
///
/// The saga never reads a clock: the service layer passes `now` into every call, so the same
/// inputs always give the same decisions (tests and the simulation drive a fake clock). Whole
/// milliseconds fit PostgreSQL's `timestamptz` and protobuf's `Timestamp` without rounding surprises.
public struct SagaInstant: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64

    /// Creates an instant from milliseconds since the Unix epoch.
    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// Earlier instants order first.
    public static func < (lhs: SagaInstant, rhs: SagaInstant) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// This instant moved by `duration`, truncated to whole milliseconds.
    public func advanced(by duration: Duration) -> SagaInstant {
        SagaInstant(millisecondsSinceEpoch: millisecondsSinceEpoch + duration.wholeMilliseconds)
    }

    /// The time from this instant to `other` (negative when `other` is earlier).
    public func duration(to other: SagaInstant) -> Duration {
        .milliseconds(other.millisecondsSinceEpoch - millisecondsSinceEpoch)
    }

    /// `t=<milliseconds>ms`, for logs and test failures.
    public var description: String { "t=\(millisecondsSinceEpoch)ms" }

    /// The instant `rhs` after `lhs`.
    public static func + (lhs: SagaInstant, rhs: Duration) -> SagaInstant { lhs.advanced(by: rhs) }
    /// The instant `rhs` before `lhs`.
    public static func - (lhs: SagaInstant, rhs: Duration) -> SagaInstant { lhs.advanced(by: .zero - rhs) }
}

extension Duration {
    /// The duration in whole milliseconds, truncated toward zero.
    var wholeMilliseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000 + parts.attoseconds / 1_000_000_000_000_000
    }
}
