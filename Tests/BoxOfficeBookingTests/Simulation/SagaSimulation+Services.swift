import BoxOfficeBooking

/// Inventory and payment as reached over the simulated network: lost requests, lost or late answers,
/// outages, and payment's outbox of outcome notifications.
extension SagaSimulation {
    mutating func serve(_ call: SagaCall, token: Int, callerIncarnation: Int, booking id: String) {
        if faulty && random.chance(configuration.lossChance) { return }  // lost on the way: the caller's deadline fires
        let service: Service = [.charge, .getPayment, .refund].contains(call.kind) ? .payment : .inventory
        var slow = faulty && random.chance(configuration.slowChance)
        let answer: SagaEvent
        if isDown(service) {
            answer = .callFailed(call.kind)  // UNAVAILABLE
        } else {
            switch call.request {
            case .hold(_, _, let selection):
                var quantity = 1
                if case .generalAdmission(_, let units) = selection { quantity = Int(units) }
                answer = .holdAnswered(inventory.hold(key: call.idempotencyKey, quantity: quantity, now: now))
            case .pin(let holdId, _, let pinFor):
                answer = .pinAnswered(inventory.pin(holdId: holdId, pinFor: pinFor.milliseconds, now: now))
            case .charge(let bookingId, let amount, _, let deadline):
                let isNew = payment.payments[bookingId] == nil
                let behaviour = behaviours[bookingId] ?? .approve
                let status = payment.charge(bookingId: bookingId, key: call.idempotencyKey, amount: amount,
                                            deadline: deadline.millisecondsSinceEpoch, now: now, behaviour: behaviour)
                if isNew {
                    if status == .pending {
                        queue.schedule(.paymentResolves(booking: bookingId), at: now + random.int(in: 500...40_000))
                    } else {
                        notifyOutcome(bookingId, status)
                    }
                    slow = slow || behaviour == .slowAnswerButCharge
                }
                answer = .chargeAnswered(status)
            case .getPayment(let bookingId):
                answer = payment.payments[bookingId].map { .paymentPolled($0.status) } ?? .callFailed(.getPayment)
            case .confirm(let holdId, _, let orderReference):
                answer = .confirmAnswered(inventory.confirm(key: call.idempotencyKey, holdId: holdId,
                                                            bookingId: orderReference, now: now))
            case .release(let holdId, _, _):
                inventory.release(holdId: holdId)
                answer = .releaseAnswered
            case .refund(let bookingId, _):
                let wasRefunded = payment.payments[bookingId]?.status == .refunded
                if payment.refund(bookingId: bookingId) {
                    if !wasRefunded { notifyOutcome(bookingId, .refunded) }
                    answer = .refundAnswered
                } else {
                    answer = .callFailed(.refund)
                }
            }
        }
        if faulty && random.chance(configuration.lossChance) { return }  // the answer is lost
        let latency = slow ? max(0, call.deadline.millisecondsSinceEpoch - now) + random.int(in: 1...2_000)
                           : random.int(in: 5...150)
        queue.schedule(.reply(token: token, incarnation: callerIncarnation, answer), at: now + latency)
    }

    /// Payment's outbox: outcomes arrive late, sometimes twice, sometimes after a stale PENDING, and
    /// sometimes never (then only the saga's polls find them).
    mutating func notifyOutcome(_ id: String, _ status: PaymentStatus) {
        if random.chance(0.1) { return }
        queue.schedule(.notify(booking: id, status), at: now + random.int(in: 10...3_000))
        if random.chance(0.2) { queue.schedule(.notify(booking: id, status), at: now + random.int(in: 10...5_000)) }
        if random.chance(0.15) { queue.schedule(.notify(booking: id, .pending), at: now + random.int(in: 10...5_000)) }
    }
}
