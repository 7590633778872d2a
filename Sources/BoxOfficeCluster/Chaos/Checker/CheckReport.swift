import Foundation

/// The checker's verdict: what was counted, and every violation with its evidence.
public struct CheckReport: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What the stores hold after the run, so a reader can see the checker looked at something.
    public struct Totals: Sendable, Hashable, Codable {
        /// Records in the client history.
        public var clientCalls = 0
        /// Client calls whose outcome was unknown.
        public var unknownOutcomes = 0
        /// Bookings a client was told are CONFIRMED.
        public var acknowledgedConfirmed = 0
        /// Seats in sales.
        public var seatsSold = 0
        /// GA units sold (the pools' counters).
        public var gaUnitsSold = 0
        /// Every sale.
        public var sales = 0
        /// Bookings in the booking database.
        public var bookings = 0
        /// Bookings confirmed.
        public var confirmedBookings = 0
        /// Payments CAPTURED.
        public var paymentsCaptured = 0
        /// Payments REFUNDED.
        public var paymentsRefunded = 0
        /// Payments still PENDING.
        public var paymentsPending = 0
        /// Events Redis did not have when read (lost and not rebuilt): nothing to compare for them.
        public var hotStoreEventsNotLoaded = 0
        /// Creates an empty value.
        public init() {}
    }

    /// What the stores hold.
    public var totals: Totals
    /// Every violation found, by invariant.
    public var violations: [InvariantViolation]

    /// True when nothing was violated.
    public var passed: Bool { violations.isEmpty }

    /// Violations per kind (kinds with none omitted).
    public var countsByKind: [String: Int] {
        Dictionary(grouping: violations, by: \.kind.rawValue).mapValues(\.count)
    }

    /// Creates a value from its fields.
    public init(totals: Totals, violations: [InvariantViolation]) {
        self.totals = totals
        self.violations = violations
    }

    init(snapshot: AuditSnapshot, violations: [InvariantViolation]) {
        var totals = Totals()
        totals.clientCalls = snapshot.history.count
        totals.unknownOutcomes = snapshot.history.count { $0.outcome == .unknown }
        totals.acknowledgedConfirmed = Set(snapshot.history.filter(\.acknowledgedConfirmed).compactMap(\.bookingID)).count
        totals.seatsSold = snapshot.inventory.sales.reduce(0) { $0 + $1.soldSeatIDs.count }
        totals.gaUnitsSold = snapshot.inventory.pools.reduce(0) { $0 + $1.soldCounter }
        totals.sales = snapshot.inventory.sales.count
        totals.bookings = snapshot.booking.bookings.count
        totals.confirmedBookings = snapshot.booking.bookings.count(where: \.isConfirmed)
        totals.paymentsCaptured = snapshot.payment.payments.count { $0.status == "CAPTURED" }
        totals.paymentsRefunded = snapshot.payment.payments.count { $0.status == "REFUNDED" }
        totals.paymentsPending = snapshot.payment.payments.count { $0.status == "PENDING" }
        totals.hotStoreEventsNotLoaded = snapshot.hotStore?.events.count { !$0.loaded } ?? 0
        self.init(totals: totals, violations: violations)
    }

    /// The report as indented JSON with sorted keys (with `passed` and `countsByKind` for machines).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    private enum CodingKeys: String, CodingKey {
        case passed, countsByKind, totals, violations
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(totals: try container.decode(Totals.self, forKey: .totals),
                  violations: try container.decode([InvariantViolation].self, forKey: .violations))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(passed, forKey: .passed)
        try container.encode(countsByKind, forKey: .countsByKind)
        try container.encode(totals, forKey: .totals)
        try container.encode(violations, forKey: .violations)
    }

    /// The report for people: totals, then each violation with its evidence.
    public var description: String {
        var lines = [
            "checked \(totals.clientCalls) client calls (\(totals.unknownOutcomes) unknown outcomes, \(totals.acknowledgedConfirmed) acknowledged CONFIRMED)",
            "inventory: \(totals.sales) sales, \(totals.seatsSold) seats and \(totals.gaUnitsSold) GA units sold",
            "booking: \(totals.bookings) bookings, \(totals.confirmedBookings) confirmed",
            "payment: \(totals.paymentsCaptured) captured, \(totals.paymentsRefunded) refunded, \(totals.paymentsPending) pending",
        ]
        if totals.hotStoreEventsNotLoaded > 0 {
            lines.append("redis: \(totals.hotStoreEventsNotLoaded) events not loaded (not compared)")
        }
        if passed {
            lines.append("violations: 0")
        } else {
            let counts = countsByKind.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            lines.append("violations: \(violations.count) (\(counts))")
            lines += violations.map(\.description)
        }
        return lines.joined(separator: "\n")
    }
}
