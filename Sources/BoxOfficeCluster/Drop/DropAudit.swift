/// What the three databases say about one drop's event, read after the crowd has gone: the facts
/// the report's oversold and money checks are computed from.
public struct DropAudit: Sendable, Hashable, Codable {
    /// A general-admission pool's capacity and what was sold from it.
    public struct Pool: Sendable, Hashable, Codable {
        public var code: String
        public var capacity: Int
        /// The pool's own `sold` counter.
        public var soldCounter: Int
        /// The units its sales add up to.
        public var soldBySales: Int

        public init(code: String, capacity: Int, soldCounter: Int, soldBySales: Int) {
            self.code = code
            self.capacity = capacity
            self.soldCounter = soldCounter
            self.soldBySales = soldBySales
        }
    }

    /// One inventory sale.
    public struct Sale: Sendable, Hashable, Codable {
        /// The booking it belongs to.
        public var orderReference: String
        public var totalPriceMinor: Int64
        /// Seats plus GA units.
        public var units: Int

        public init(orderReference: String, totalPriceMinor: Int64, units: Int) {
            self.orderReference = orderReference
            self.totalPriceMinor = totalPriceMinor
            self.units = units
        }
    }

    /// One booking row.
    public struct Booking: Sendable, Hashable, Codable {
        public var id: String
        /// `held`, `paymentPending`, `confirmed`, … (nil before a hold was granted).
        public var status: String?
        public var amountMinor: Int64
        public var terminal: Bool

        public init(id: String, status: String?, amountMinor: Int64, terminal: Bool) {
            self.id = id
            self.status = status
            self.amountMinor = amountMinor
            self.terminal = terminal
        }
    }

    /// One payment row.
    public struct Payment: Sendable, Hashable, Codable {
        public var bookingID: String
        /// `PENDING`, `CAPTURED`, `DECLINED`, `NOT_CHARGED` or `REFUNDED`.
        public var status: String
        public var amountMinor: Int64
        public var refundedMinor: Int64

        public init(bookingID: String, status: String, amountMinor: Int64, refundedMinor: Int64) {
            self.bookingID = bookingID
            self.status = status
            self.amountMinor = amountMinor
            self.refundedMinor = refundedMinor
        }

        /// Money was taken at some point (possibly refunded since).
        public var wasCharged: Bool { status == "CAPTURED" || status == "REFUNDED" }
    }

    /// Reserved seats of the event.
    public var seatCount = 0
    /// Rows in `sold_seats`.
    public var soldSeatRows = 0
    /// Seats whose status is `sold`.
    public var seatsMarkedSold = 0
    /// Seats that more than one sale's hold contains.
    public var seatsInSeveralSales: [Int64] = []
    public var pools: [Pool] = []
    public var sales: [Sale] = []
    /// Holds by status (`active`, `pinned`, `confirmed`, `released`, `expired`).
    public var holdsByStatus: [String: Int] = [:]
    public var bookings: [Booking] = []
    public var payments: [Payment] = []
    /// Refund records and their sum.
    public var refundCount = 0
    public var refundRecordsMinor: Int64 = 0

    /// No facts yet.
    public init() {}

    /// The checks the report shows.
    public var summary: AuditSummary {
        var summary = AuditSummary()
        let gaCapacity = pools.reduce(0) { $0 + $1.capacity }
        let gaSold = pools.reduce(0) { $0 + max($1.soldCounter, $1.soldBySales) }
        summary.capacity = seatCount + gaCapacity
        summary.seatsSold = soldSeatRows
        summary.generalAdmissionSold = gaSold
        summary.sold = soldSeatRows + gaSold
        summary.unsold = max(0, summary.capacity - summary.sold)
        summary.oversold = seatsInSeveralSales.count + max(0, soldSeatRows - seatCount) + max(0, seatsMarkedSold - seatCount)
            + pools.reduce(0) { $0 + max(0, max($1.soldCounter, $1.soldBySales) - $1.capacity) }
        var salesPerBooking: [String: Int] = [:]
        for sale in sales { salesPerBooking[sale.orderReference, default: 0] += 1 }
        summary.bookingsSoldTwice = salesPerBooking.values.filter { $0 > 1 }.count
        for booking in bookings { summary.bookingsByStatus[booking.status ?? "notHeld", default: 0] += 1 }
        // With the Redis hold store an expired hold never reaches PostgreSQL; its booking expires either way.
        summary.expiredHolds = max(holdsByStatus["expired"] ?? 0, summary.bookingsByStatus["expired"] ?? 0)
        summary.releasedHolds = holdsByStatus["released"] ?? 0
        summary.liveHolds = (holdsByStatus["active"] ?? 0) + (holdsByStatus["pinned"] ?? 0)
        for payment in payments { summary.paymentsByStatus[payment.status, default: 0] += 1 }
        summary.refunds = refundCount
        summary.pendingPayments = payments.filter { $0.status == "PENDING" }.count
        summary.unsettledBookings = bookings.filter { !$0.terminal }.count

        let charged = payments.filter(\.wasCharged)
        summary.money.capturedMinor = charged.reduce(0) { $0 + $1.amountMinor }
        summary.money.refundedMinor = payments.reduce(0) { $0 + $1.refundedMinor }
        let confirmed = bookings.filter { $0.status == "confirmed" }
        summary.money.confirmedMinor = confirmed.reduce(0) { $0 + $1.amountMinor }
        let paymentsByBooking = Dictionary(payments.map { ($0.bookingID, $0) }, uniquingKeysWith: { first, _ in first })
        let sold = Set(salesPerBooking.keys)
        let confirmedIDs = Set(confirmed.map(\.id))
        summary.money.confirmedWithoutCharge = confirmed.filter { paymentsByBooking[$0.id]?.status != "CAPTURED" }.count
        summary.money.chargedNeitherConfirmedNorRefunded = charged.filter {
            !confirmedIDs.contains($0.bookingID) && $0.refundedMinor < $0.amountMinor
        }.count
        summary.money.confirmedWithoutSale = confirmed.filter { !sold.contains($0.id) }.count
        summary.money.salesWithoutConfirmedBooking = sold.subtracting(confirmedIDs).count
        return summary
    }
}

/// The database checks of a drop: what sold, what is left, oversold (must be 0), and whether money
/// is conserved (captured = confirmed + refunded).
public struct AuditSummary: Sendable, Hashable, Codable {
    /// Seats plus GA units for sale.
    public var capacity = 0
    /// Units sold (seats plus GA).
    public var sold = 0
    /// Reserved seats sold.
    public var seatsSold = 0
    /// GA units sold.
    public var generalAdmissionSold = 0
    /// Units left.
    public var unsold = 0
    /// Units sold beyond capacity or more than once: seats in several sales, sold seats beyond the
    /// seat count, GA beyond a pool's capacity. Must be 0.
    public var oversold = 0
    /// Bookings with more than one sale. Must be 0.
    public var bookingsSoldTwice = 0
    /// Holds that expired: the sweeper's count in inventory, or the bookings that expired, whichever is higher.
    public var expiredHolds = 0
    /// Holds released by cancellation or a failed payment.
    public var releasedHolds = 0
    /// Holds still active or pinned.
    public var liveHolds = 0
    /// Bookings by status.
    public var bookingsByStatus: [String: Int] = [:]
    /// Payments by status.
    public var paymentsByStatus: [String: Int] = [:]
    /// Refunds made.
    public var refunds = 0
    /// Payments still PENDING.
    public var pendingPayments = 0
    /// Bookings whose saga is not terminal yet.
    public var unsettledBookings = 0
    /// The money check.
    public var money = MoneyCheck()

    /// Whether the invariants the report promises hold: nothing oversold, nothing sold twice, money conserved.
    public var passed: Bool { oversold == 0 && bookingsSoldTwice == 0 && money.conserved }
}

/// Money in and out, in minor units: every captured charge is a confirmed booking or a refund.
public struct MoneyCheck: Sendable, Hashable, Codable {
    /// Charges captured (including those refunded since).
    public var capturedMinor: Int64 = 0
    /// Amounts of confirmed bookings.
    public var confirmedMinor: Int64 = 0
    /// Amounts refunded.
    public var refundedMinor: Int64 = 0
    /// Confirmed bookings whose payment is not CAPTURED.
    public var confirmedWithoutCharge = 0
    /// Charged bookings neither confirmed nor fully refunded.
    public var chargedNeitherConfirmedNorRefunded = 0
    /// Confirmed bookings without an inventory sale.
    public var confirmedWithoutSale = 0
    /// Inventory sales whose booking is not confirmed.
    public var salesWithoutConfirmedBooking = 0

    /// captured = confirmed + refunded, and every booking's money and tickets agree.
    public var conserved: Bool {
        capturedMinor == confirmedMinor + refundedMinor && confirmedWithoutCharge == 0
            && chargedNeitherConfirmedNorRefunded == 0 && confirmedWithoutSale == 0 && salesWithoutConfirmedBooking == 0
    }

    private enum CodingKeys: String, CodingKey {
        case capturedMinor, confirmedMinor, refundedMinor, confirmedWithoutCharge, chargedNeitherConfirmedNorRefunded,
             confirmedWithoutSale, salesWithoutConfirmedBooking
    }

    private enum VerdictKey: String, CodingKey {
        case conserved
    }

    /// The fields plus `conserved`, so a machine reading the JSON need not recompute it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(capturedMinor, forKey: .capturedMinor)
        try container.encode(confirmedMinor, forKey: .confirmedMinor)
        try container.encode(refundedMinor, forKey: .refundedMinor)
        try container.encode(confirmedWithoutCharge, forKey: .confirmedWithoutCharge)
        try container.encode(chargedNeitherConfirmedNorRefunded, forKey: .chargedNeitherConfirmedNorRefunded)
        try container.encode(confirmedWithoutSale, forKey: .confirmedWithoutSale)
        try container.encode(salesWithoutConfirmedBooking, forKey: .salesWithoutConfirmedBooking)
        var verdict = encoder.container(keyedBy: VerdictKey.self)
        try verdict.encode(conserved, forKey: .conserved)
    }
}
