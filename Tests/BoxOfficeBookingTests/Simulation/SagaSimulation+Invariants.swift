import BoxOfficeBooking

/// The checks of ARCHITECTURE.md §4 after a run, and the fingerprint that shows a seed replays identically.
extension SagaSimulation {
    mutating func checkInvariants() {
        violations += inventory.violations + payment.violations
        for id in bookingIds {
            guard let saga = store[id] else {
                violations.append("\(id) never started")
                continue
            }
            let captured = payment.captures[id] ?? 0
            let refunded = payment.refunds[id] ?? 0
            let sales = inventory.salesPerBooking[id] ?? 0
            let holds = inventory.holds.values.filter { $0.bookingKey == saga.idempotencyKey(for: .hold) }.count
            let context = "\(id) ended \(saga.step) with \(captured) capture(s), \(refunded) refund(s), \(sales) sale(s)"
            if !saga.isTerminal { violations.append("\(id) not terminal: \(saga.step)") }
            // Invariant 5, with a bound: once the world stops failing, payment resolves pending charges
            // within 40 s and every call answers, so each saga finishes within a couple of minutes.
            let settleBound = configuration.faultsUntil + 120_000
            if saga.updatedAt.millisecondsSinceEpoch > settleBound {
                violations.append("\(id) finished at t=\(saga.updatedAt.millisecondsSinceEpoch), after t=\(settleBound)")
            }
            if captured > 1 { violations.append("\(context): charged twice") }
            if sales > 1 || holds > 1 { violations.append("\(context), \(holds) hold(s): a retry took effect twice") }
            if let record = payment.payments[id], record.chargeKeys != [saga.idempotencyKey(for: .charge)] {
                violations.append("\(context): charge keys \(record.chargeKeys.sorted())")
            }
            let consistent = switch saga.step {
            case .confirmed: captured == 1 && refunded == 0 && sales == 1 && saga.paymentOutcome == .captured
            case .refunded: captured == 1 && refunded == 1 && sales == 0 && saga.paymentOutcome == .refunded
            case .paymentFailed: captured == 0 && sales == 0
            case .expired, .cancelled, .holdRefused: payment.payments[id] == nil && sales == 0
            default: true  // reported as not terminal above
            }
            if !consistent { violations.append("\(context): money and seats disagree with the booking") }
        }
        for (seat, owner) in inventory.soldSeats.sorted(by: { $0.key < $1.key }) where store[owner]?.step != .confirmed {
            violations.append("seat \(seat) sold to \(owner), which is not a confirmed booking")
        }
        for hold in inventory.holds.values.sorted(by: { $0.id < $1.id }) where hold.isLive(at: now) {
            violations.append("\(hold.id) of \(hold.bookingKey) still held when every saga is done")
        }
    }

    // MARK: Replay support

    mutating func record(_ id: String, _ note: String, _ saga: BookingSaga) {
        mix(UInt64(bitPattern: now))
        mix(UInt64(bitPattern: saga.version))
        mix(UInt64(SagaStep.allCases.firstIndex(of: saga.step) ?? 99))
        if tracing { trace.append("t=\(now) \(id) \(note) → \(saga.step) v\(saga.version)") }
    }

    mutating func mix(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) {
            fingerprint = (fingerprint ^ ((value >> UInt64(shift)) & 0xFF)) &* 0x100_0000_01B3
        }
    }
}
