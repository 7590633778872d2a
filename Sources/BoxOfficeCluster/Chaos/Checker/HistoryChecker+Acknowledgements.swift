/// Invariant 3 and the history: every acknowledged CONFIRMED booking is in the databases, sold and
/// paid; every call whose outcome the client could not know was settled one way or the other.
extension HistoryChecker {
    func acknowledgementViolations(_ snapshot: AuditSnapshot, _ index: AuditIndex) -> [InvariantViolation] {
        var violations: [InvariantViolation] = []
        var reportedLost: Set<String> = []
        for call in snapshot.history where call.acknowledgedConfirmed {
            guard let bookingID = call.bookingID, !reportedLost.contains(bookingID) else { continue }
            let booking = index.bookings[bookingID]
            let payments = index.paymentsByBooking[bookingID] ?? []
            let sales = booking?.holdID.flatMap { index.salesByHold[$0] } ?? []
            var missing: [String] = []
            if booking == nil { missing.append("no booking row") } else if booking?.isConfirmed != true {
                missing.append("booking is \(booking?.step ?? "")")
            }
            if !payments.contains(where: { $0.status == "CAPTURED" }) { missing.append("no captured payment") }
            if sales.isEmpty { missing.append("no sale for its hold") }
            guard !missing.isEmpty else { continue }
            reportedLost.insert(bookingID)
            violations.append(InvariantViolation(.lostConfirmedBooking,
                                                 "booking \(bookingID) was acknowledged CONFIRMED to \(call.userID): \(missing.joined(separator: ", "))",
                                                 evidence: [call.evidence] + (booking.map { [$0.evidence] } ?? []) + payments.map(\.evidence)
                                                     + sales.map(\.evidence)))
        }

        for call in snapshot.history where call.outcome == .unknown {
            let booking: BookingAudit.Booking?
            if let bookingID = call.bookingID {
                booking = index.bookings[bookingID]
            } else if call.operation == .hold, let key = call.idempotencyKey {
                booking = index.bookingsByUserKey[AuditIndex.userKey(call.userID, key)]?.first
            } else {
                booking = nil
            }
            guard let booking else { continue }  // Never happened: settled.
            let pending = (index.paymentsByBooking[booking.id] ?? []).filter { $0.status == "PENDING" }
            if !booking.isTerminal || !pending.isEmpty {
                let why = booking.isTerminal ? "its payment is still PENDING" : "its saga is still at \(booking.step)"
                violations.append(InvariantViolation(.unresolvedUnknownOutcome,
                                                     "\(call.operation.rawValue) by \(call.userID) had an unknown outcome and booking \(booking.id) is unsettled: \(why)",
                                                     evidence: [call.evidence, booking.evidence] + pending.map(\.evidence)))
            }
        }
        return violations
    }
}
