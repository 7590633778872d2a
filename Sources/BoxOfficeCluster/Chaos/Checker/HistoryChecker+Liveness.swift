/// Invariants 4 and 5: sagas, payments and outcome deliveries all finished; no hold outlived its
/// TTL plus the sweep interval.
extension HistoryChecker {
    func livenessViolations(_ snapshot: AuditSnapshot, _ index: AuditIndex) -> [InvariantViolation] {
        var violations: [InvariantViolation] = []
        for booking in snapshot.booking.bookings where !booking.isTerminal {
            violations.append(InvariantViolation(.sagaNotTerminal, "booking \(booking.id)'s saga is still at \(booking.step)",
                                                 evidence: [booking.evidence]))
        }
        for payment in snapshot.payment.payments where payment.status == "PENDING" {
            violations.append(InvariantViolation(.sagaNotTerminal, "payment \(payment.id) for booking \(payment.bookingID) is still PENDING",
                                                 evidence: [payment.evidence]))
        }
        for outcome in snapshot.payment.undeliveredOutcomes {
            violations.append(InvariantViolation(.sagaNotTerminal,
                                                 "payment outcome \(outcome.id) was never acknowledged by booking \(outcome.bookingID)",
                                                 evidence: ["outcome_outbox \(outcome.id): booking=\(outcome.bookingID) failed_attempts=\(outcome.failedAttempts)"]))
        }

        let inventory = snapshot.inventory
        let limit = inventory.readAtMilliseconds - policy.staleAfterMilliseconds
        for hold in inventory.liveHolds where hold.deadlineMilliseconds < limit {
            violations.append(InvariantViolation(.staleHold,
                                                 "hold \(hold.id) is still \(hold.status) \(inventory.readAtMilliseconds - hold.deadlineMilliseconds) ms after its deadline",
                                                 evidence: ["hold \(hold.id): event=\(hold.eventID) holder=\(hold.holderID) status=\(hold.status) "
                                                            + "expires_ms=\(hold.expiresAtMilliseconds) pinned_until_ms=\(hold.pinnedUntilMilliseconds.map(String.init) ?? "-") "
                                                            + "read_at_ms=\(inventory.readAtMilliseconds)"]))
        }
        for seat in inventory.expiredHeldSeats {
            violations.append(InvariantViolation(.staleHold, "seat \(seat.seatID) of event \(seat.eventID) is still held past its held_until",
                                                 evidence: ["seat \(seat.eventID)/\(seat.seatID): status=\(seat.status) hold=\(seat.saleID ?? "-")"]))
        }
        if policy.checksHotStore, let hotStore = snapshot.hotStore {
            let hotLimit = hotStore.readAtMilliseconds - policy.staleAfterMilliseconds
            for event in hotStore.events {
                for (hold, deadline) in event.liveHoldDeadlines.sorted(by: { $0.key < $1.key }) where deadline < hotLimit {
                    violations.append(InvariantViolation(.staleHold,
                                                         "Redis hold \(hold) of event \(event.eventID) is still live \(hotStore.readAtMilliseconds - deadline) ms after its deadline",
                                                         evidence: ["redis expiry \(hold): deadline_ms=\(deadline) read_at_ms=\(hotStore.readAtMilliseconds)"]))
                }
            }
        }
        return violations
    }
}
