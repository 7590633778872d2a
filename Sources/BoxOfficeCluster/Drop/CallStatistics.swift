/// Counts and latencies of the calls of one method during a drop.
public struct CallStatistics: Sendable, Hashable {
    /// Calls finished.
    public private(set) var calls = 0
    /// Calls by outcome.
    public private(set) var outcomes: [HistoryOutcome: Int] = [:]
    /// Non-OK calls by gRPC status name.
    public private(set) var codes: [String: Int] = [:]
    /// Every call's latency in milliseconds, in arrival order.
    public private(set) var latenciesMilliseconds: [Double] = []

    /// No calls yet.
    public init() {}

    /// Adds one call.
    public mutating func record(outcome: HistoryOutcome, code: String?, milliseconds: Double) {
        calls += 1
        outcomes[outcome, default: 0] += 1
        if let code { codes[code, default: 0] += 1 }
        latenciesMilliseconds.append(milliseconds)
    }

    /// The latency at quantile `q` (0…1) by the nearest-rank method; nil without calls.
    public func latency(quantile q: Double) -> Double? {
        Self.nearestRank(latenciesMilliseconds.sorted(), quantile: q)
    }

    /// The nearest-rank quantile of sorted values: the smallest value with at least `q` of the values
    /// at or below it (`q` = 0 gives the minimum, 1 the maximum). Nil for no values.
    public static func nearestRank(_ sorted: [Double], quantile q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let clamped = min(max(q, 0), 1)
        let rank = Int((clamped * Double(sorted.count)).rounded(.up))
        return sorted[max(rank, 1) - 1]
    }

    /// The summary the report shows.
    public var summary: CallSummary {
        let sorted = latenciesMilliseconds.sorted()
        return CallSummary(calls: calls, ok: outcomes[.ok] ?? 0, failed: outcomes[.failed] ?? 0,
                           unknown: outcomes[.unknown] ?? 0, codes: codes,
                           p50Milliseconds: Self.nearestRank(sorted, quantile: 0.5),
                           p99Milliseconds: Self.nearestRank(sorted, quantile: 0.99),
                           maxMilliseconds: sorted.last)
    }
}

/// What the report says about one method: counts by outcome and status, and latency quantiles.
public struct CallSummary: Codable, Sendable, Hashable {
    /// Calls finished.
    public var calls: Int
    /// Calls answered.
    public var ok: Int
    /// Calls the server refused.
    public var failed: Int
    /// Calls without a definite answer.
    public var unknown: Int
    /// Non-OK calls by gRPC status name.
    public var codes: [String: Int]
    /// Median latency.
    public var p50Milliseconds: Double?
    /// 99th-percentile latency.
    public var p99Milliseconds: Double?
    /// Slowest call.
    public var maxMilliseconds: Double?
}
