/// Judges a client history and the three databases (and Redis) against BoxOffice's invariants.
///
/// Pure: all input is an ``AuditSnapshot`` read beforehand (``AuditReader``), so every check is tested
/// without I/O. It trusts no database constraint: a check holds even if a schema lost its unique index.
public struct HistoryChecker: Sendable {
    /// How time-based promises are judged.
    public var policy: CheckPolicy

    /// Creates an empty value.
    public init(policy: CheckPolicy = CheckPolicy()) {
        self.policy = policy
    }

    /// Every violation in `snapshot`, in a stable order (by invariant, then as found).
    public func check(_ snapshot: AuditSnapshot) -> [InvariantViolation] {
        let index = AuditIndex(snapshot)
        var violations: [InvariantViolation] = []
        violations += salesViolations(snapshot, index)
        violations += moneyViolations(snapshot, index)
        violations += acknowledgementViolations(snapshot, index)
        violations += livenessViolations(snapshot, index)
        if policy.checksHotStore, let hotStore = snapshot.hotStore {
            violations += hotStoreViolations(hotStore, snapshot.inventory)
        }
        return violations
    }

    /// Checks and summarises: the report a chaos run prints.
    public func report(_ snapshot: AuditSnapshot) -> CheckReport {
        CheckReport(snapshot: snapshot, violations: check(snapshot))
    }
}

/// Lookups shared by the checks.
struct AuditIndex {
    let bookings: [String: BookingAudit.Booking]
    let paymentsByBooking: [String: [PaymentAudit.Payment]]
    let salesByHold: [String: [InventoryAudit.Sale]]
    let bookingsByUserKey: [String: [BookingAudit.Booking]]

    init(_ snapshot: AuditSnapshot) {
        var bookings: [String: BookingAudit.Booking] = [:]
        for booking in snapshot.booking.bookings { bookings[booking.id] = booking }
        self.bookings = bookings
        paymentsByBooking = Dictionary(grouping: snapshot.payment.payments, by: \.bookingID)
        salesByHold = Dictionary(grouping: snapshot.inventory.sales, by: \.holdID)
        bookingsByUserKey = Dictionary(grouping: snapshot.booking.bookings.filter { $0.holdIdempotencyKey != nil }) {
            Self.userKey($0.userID, $0.holdIdempotencyKey ?? "")
        }
    }

    static func userKey(_ user: String, _ key: String) -> String { user + "\n" + key }
}

extension BookingAudit.Booking {
    /// `bookings id: step=… user=… hold=… payment=…`, for a report.
    var evidence: String {
        "booking \(id): step=\(step) user=\(userID) event=\(eventID) hold=\(holdID ?? "-") payment=\(paymentID ?? "-")"
            + (seatIDs.isEmpty ? "" : " seats=\(seatIDs.map(String.init).joined(separator: ","))")
    }
}

extension PaymentAudit.Payment {
    var evidence: String {
        "payment \(id): booking=\(bookingID) status=\(status) amount=\(amountMinor) refunded=\(refundedMinor)"
            + " charge=\(providerChargeID ?? "-")"
    }
}

extension InventoryAudit.Sale {
    var evidence: String {
        var text = "sale \(id): hold=\(holdID) event=\(eventID) order=\(orderReference)"
        if !heldSeatIDs.isEmpty { text += " hold-seats=\(heldSeatIDs.map(String.init).joined(separator: ","))" }
        if !soldSeatIDs.isEmpty { text += " sold-seats=\(soldSeatIDs.map(String.init).joined(separator: ","))" }
        if let gaPoolCode { text += " ga=\(gaPoolCode)x\(gaQuantity)" }
        return text
    }
}
