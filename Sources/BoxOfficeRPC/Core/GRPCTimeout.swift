/// The `grpc-timeout` header: at most 8 ASCII digits followed by a unit (`H M S m u n`).
public struct GRPCTimeout: Sendable, Hashable, CustomStringConvertible {
    /// The time budget.
    public var duration: Duration

    /// Wraps a duration; negative durations are treated as zero when encoded.
    public init(_ duration: Duration) { self.duration = duration }

    private static let maxAmount: Int64 = 99_999_999

    /// Parses a header value; nil when it is empty, has more than 8 digits, a non-digit, or an
    /// unknown unit.
    public init?(headerValue: some StringProtocol) {
        let bytes = Array(headerValue.utf8)
        guard bytes.count >= 2, bytes.count <= 9, let unit = bytes.last else { return nil }
        var amount: Int64 = 0
        for byte in bytes.dropLast() {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            amount = amount * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        switch unit {
        case UInt8(ascii: "H"): duration = .seconds(amount * 3600)
        case UInt8(ascii: "M"): duration = .seconds(amount * 60)
        case UInt8(ascii: "S"): duration = .seconds(amount)
        case UInt8(ascii: "m"): duration = .milliseconds(amount)
        case UInt8(ascii: "u"): duration = .microseconds(amount)
        case UInt8(ascii: "n"): duration = .nanoseconds(amount)
        default: return nil
        }
    }

    /// The header value: the finest unit whose amount fits in 8 digits, rounded up to that unit;
    /// budgets beyond 99999999 hours are capped there.
    public var headerValue: String {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 { return "0n" }
        // Total nanoseconds, rounding attoseconds up; saturating for very long budgets.
        let nanos = attoseconds / 1_000_000_000 + (attoseconds % 1_000_000_000 > 0 ? 1 : 0)
        let units: [(divisor: Int64, unit: String)] = [
            (1, "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"),
            (60_000_000_000, "M"), (3_600_000_000_000, "H"),
        ]
        let (total, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if !overflow {
            let (sum, overflow2) = total.addingReportingOverflow(nanos)
            if !overflow2 {
                for (divisor, unit) in units {
                    let amount = (sum + divisor - 1) / divisor
                    if amount <= Self.maxAmount { return "\(amount)\(unit)" }
                }
            }
        }
        // Beyond nanosecond range: express in hours directly from seconds.
        let hours = min((seconds + 3599) / 3600, Self.maxAmount)
        return "\(hours)H"
    }

    public var description: String { headerValue }
}
