/// Invariant 1: no seat or GA unit sold twice; sold ≤ capacity; sale records agree with each other.
extension HistoryChecker {
    func salesViolations(_ snapshot: AuditSnapshot, _ index: AuditIndex) -> [InvariantViolation] {
        let inventory = snapshot.inventory
        var violations: [InvariantViolation] = []

        // A seat claimed by two sales, by the holds they confirmed or by their sold_seats rows.
        struct SeatKey: Hashable { var event: Int64; var seat: Int64 }
        var claims: [SeatKey: [InventoryAudit.Sale]] = [:]
        for sale in inventory.sales {
            for seat in Set(sale.heldSeatIDs).union(sale.soldSeatIDs) {
                claims[SeatKey(event: sale.eventID, seat: seat), default: []].append(sale)
            }
        }
        for (key, sales) in claims.sorted(by: { ($0.key.event, $0.key.seat) < ($1.key.event, $1.key.seat) }) where sales.count > 1 {
            violations.append(InvariantViolation(.seatSoldTwice, "seat \(key.seat) of event \(key.event) is in \(sales.count) sales",
                                                 evidence: sales.map(\.evidence)))
        }

        // The same seat in two confirmed bookings, seen from booking's side.
        var bookingClaims: [SeatKey: [BookingAudit.Booking]] = [:]
        for booking in snapshot.booking.bookings where booking.isConfirmed {
            for seat in Set(booking.seatIDs) { bookingClaims[SeatKey(event: booking.eventID, seat: seat), default: []].append(booking) }
        }
        for (key, bookings) in bookingClaims.sorted(by: { ($0.key.event, $0.key.seat) < ($1.key.event, $1.key.seat) })
        where bookings.count > 1 {
            violations.append(InvariantViolation(.seatSoldTwice, "seat \(key.seat) of event \(key.event) is in \(bookings.count) confirmed bookings",
                                                 evidence: bookings.map(\.evidence)))
        }

        // A sale whose hold's seats and sold_seats rows differ: some seat went to someone else or nowhere.
        for sale in inventory.sales where Set(sale.heldSeatIDs) != Set(sale.soldSeatIDs) {
            violations.append(InvariantViolation(.saleRecordsDisagree,
                                                 "sale \(sale.id) recorded other seats than its hold \(sale.holdID) held",
                                                 evidence: [sale.evidence]))
        }
        for mismatch in inventory.seatMismatches {
            let what = mismatch.saleID == nil ? "is marked sold without a sold_seats row"
                : "has sold_seats row (sale \(mismatch.saleID ?? "")) but status \(mismatch.status)"
            violations.append(InvariantViolation(.saleRecordsDisagree, "seat \(mismatch.seatID) of event \(mismatch.eventID) \(what)",
                                                 evidence: ["seat \(mismatch.eventID)/\(mismatch.seatID): status=\(mismatch.status) sale=\(mismatch.saleID ?? "-")"]))
        }

        // Capacity: seats per event, units per pool.
        let soldSeats = Dictionary(grouping: claims.keys, by: \.event).mapValues(\.count)
        for event in inventory.events {
            let sold = soldSeats[event.eventID] ?? 0
            if sold > event.seatCount {
                violations.append(InvariantViolation(.oversold, "event \(event.eventID) sold \(sold) seats of \(event.seatCount)",
                                                     evidence: ["event \(event.eventID): seat_count=\(event.seatCount) seats in sales=\(sold)"]))
            }
        }
        for pool in inventory.pools {
            let evidence = ["ga_pool \(pool.eventID)/\(pool.code): capacity=\(pool.capacity) sold=\(pool.soldCounter) sum(sales)=\(pool.soldBySales)"]
            let sold = max(pool.soldCounter, pool.soldBySales)
            if sold > pool.capacity {
                violations.append(InvariantViolation(.oversold, "GA pool \(pool.code) of event \(pool.eventID) sold \(sold) of \(pool.capacity)",
                                                     evidence: evidence))
            }
            if pool.soldCounter != pool.soldBySales {
                violations.append(InvariantViolation(.saleRecordsDisagree,
                                                     "GA pool \(pool.code) of event \(pool.eventID) counts \(pool.soldCounter) sold but its sales add up to \(pool.soldBySales)",
                                                     evidence: evidence))
            }
        }
        return violations
    }
}
