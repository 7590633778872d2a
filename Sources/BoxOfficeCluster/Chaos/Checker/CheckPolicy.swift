/// How strictly the ``HistoryChecker`` judges time-based promises.
public struct CheckPolicy: Sendable, Hashable, Codable {
    /// The inventory sweeper's interval: an unpinned hold must be gone within its TTL plus this.
    public var sweepIntervalMilliseconds: Int64
    /// Extra slack for clocks and the sweeper's own run time.
    public var toleranceMilliseconds: Int64
    /// Whether Redis is the inventory's hold store (so its counts are compared with PostgreSQL).
    public var checksHotStore: Bool

    /// Creates a policy; the defaults match `serve inventory --sweep-interval-ms 1000`.
    public init(sweepIntervalMilliseconds: Int64 = 1000, toleranceMilliseconds: Int64 = 1000, checksHotStore: Bool = true) {
        self.sweepIntervalMilliseconds = sweepIntervalMilliseconds
        self.toleranceMilliseconds = toleranceMilliseconds
        self.checksHotStore = checksHotStore
    }

    /// How long past its deadline a hold may still be live.
    var staleAfterMilliseconds: Int64 { sweepIntervalMilliseconds + toleranceMilliseconds }
}
