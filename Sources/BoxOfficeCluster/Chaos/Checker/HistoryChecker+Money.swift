/// Invariant 2: every captured charge is exactly one confirmed booking or one refund; nothing charged twice.
extension HistoryChecker {
    func moneyViolations(_ snapshot: AuditSnapshot, _ index: AuditIndex) -> [InvariantViolation] {
        var violations: [InvariantViolation] = []
        for payment in snapshot.payment.payments where payment.wasCharged {
            let booking = index.bookings[payment.bookingID]
            let sale = booking?.holdID.flatMap { index.salesByHold[$0]?.first }
            var evidence = [payment.evidence]
            if let booking { evidence.append(booking.evidence) } else { evidence.append("booking \(payment.bookingID): missing") }
            if let sale { evidence.append(sale.evidence) }
            if payment.status == "CAPTURED" && payment.refundedMinor == 0 {
                if booking?.isConfirmed != true || sale == nil {
                    let why = booking == nil ? "its booking does not exist"
                        : booking?.isConfirmed != true ? "its booking is \(booking?.step ?? "")" : "its hold has no sale"
                    violations.append(InvariantViolation(.capturedWithoutOutcome,
                                                         "payment \(payment.id) captured \(payment.amountMinor) but \(why) and nothing was refunded",
                                                         evidence: evidence))
                }
            } else if booking?.isConfirmed == true {
                violations.append(InvariantViolation(.ticketMoneyMismatch,
                                                     "booking \(payment.bookingID) is confirmed and its payment \(payment.id) was refunded \(payment.refundedMinor)",
                                                     evidence: evidence))
            }
        }

        for booking in snapshot.booking.bookings where booking.isConfirmed {
            let payments = index.paymentsByBooking[booking.id] ?? []
            let captured = payments.filter { $0.status == "CAPTURED" }
            var evidence = [booking.evidence] + payments.map(\.evidence)
            if captured.isEmpty {
                violations.append(InvariantViolation(.ticketMoneyMismatch,
                                                     "booking \(booking.id) is confirmed without a captured payment", evidence: evidence))
            }
            let sales = booking.holdID.flatMap { index.salesByHold[$0] } ?? []
            evidence += sales.map(\.evidence)
            if sales.isEmpty {
                violations.append(InvariantViolation(.ticketMoneyMismatch,
                                                     "booking \(booking.id) is confirmed but inventory has no sale for its hold \(booking.holdID ?? "-")",
                                                     evidence: evidence))
            }
        }

        for (bookingID, payments) in index.paymentsByBooking.sorted(by: { $0.key < $1.key }) {
            let charged = payments.filter(\.wasCharged)
            if charged.count > 1 {
                violations.append(InvariantViolation(.chargedTwice, "booking \(bookingID) was charged \(charged.count) times",
                                                     evidence: charged.map(\.evidence)))
            }
        }
        let bookingsByHold = Dictionary(grouping: snapshot.booking.bookings.filter { $0.holdID != nil }, by: { $0.holdID ?? "" })
        for (holdID, bookings) in bookingsByHold.sorted(by: { $0.key < $1.key }) where bookings.count > 1 {
            let charged = bookings.flatMap { index.paymentsByBooking[$0.id] ?? [] }.filter(\.wasCharged)
            if charged.count > 1 {
                violations.append(InvariantViolation(.chargedTwice, "hold \(holdID) was charged \(charged.count) times through \(bookings.count) bookings",
                                                     evidence: bookings.map(\.evidence) + charged.map(\.evidence)))
            }
        }
        return violations
    }
}
