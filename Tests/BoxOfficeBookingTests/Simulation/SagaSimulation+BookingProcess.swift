import BoxOfficeBooking

/// The booking process of the simulated world: users' requests, answers, timers, crashes and restarts,
/// driving `BookingSaga` the way the service must (persist, then act).
extension SagaSimulation {
    mutating func process(_ event: WorldEvent) {
        switch event {
        case .userArrives(let id):
            guard up else {
                queue.schedule(.userArrives(booking: id), at: now + 500)  // the client retries HoldSeats
                return
            }
            guard store[id] == nil else { return }
            let (saga, actions) = BookingSaga.start(
                bookingId: id, userId: "user-\(id)", eventId: 1,
                selection: .generalAdmission(poolCode: "ga", quantity: Int32(quantities[id] ?? 1)),
                now: instant, policy: policy)
            if faulty && random.chance(configuration.crashChance) {
                crash()
                queue.schedule(.userArrives(booking: id), at: now + 500)
                return
            }
            store[id] = saga
            record(id, "start", saga)
            perform(actions, for: id)

        case .userRequest(let id, let request, let attempt):
            guard up, let saga = store[id], saga.step != .holdRequested else {
                if attempt < 40 { queue.schedule(.userRequest(booking: id, request, attempt: attempt + 1), at: now + 500) }
                return
            }
            deliver(request, to: id, fromUser: true)

        case .request(let token, let callerIncarnation, let id, let call):
            serve(call, token: token, callerIncarnation: callerIncarnation, booking: id)

        case .reply(let token, let replyIncarnation, let answer):
            guard up, replyIncarnation == incarnation, let entry = outstanding.removeValue(forKey: token) else { return }
            deliver(answer, to: entry.booking, fromUser: false)

        case .callDeadline(let token, let callIncarnation):
            guard up, callIncarnation == incarnation, let entry = outstanding.removeValue(forKey: token) else { return }
            if configuration.guessChargeTimeoutsAsDeclined && entry.kind == .charge {
                deliver(.chargeAnswered(.declined), to: entry.booking, fromUser: false)
            } else {
                deliver(.callFailed(entry.kind), to: entry.booking, fromUser: false)
            }

        case .wakeUp(let id, let timerIncarnation):
            guard up, timerIncarnation == incarnation else { return }
            deliver(.timerFired, to: id, fromUser: false)

        case .crash:
            if up && faulty { crash() }
            if faulty { queue.schedule(.crash, at: now + random.int(in: 3_000...15_000)) }

        case .restart:
            up = true
            for id in store.keys.sorted() {
                guard var saga = store[id], !saga.isTerminal else { continue }
                do {
                    let transition = try saga.resume(now: instant, policy: policy)
                    apply(transition, saga: saga, to: id, note: "resume")
                } catch {
                    violations.append("t=\(now) resume of \(id) refused: \(error)")
                }
                if !up { return }  // crashed again while resuming
            }

        case .paymentResolves(let id):
            if let status = payment.resolve(bookingId: id) { notifyOutcome(id, status) }

        case .notify(let id, let status):
            guard up else {
                queue.schedule(.notify(booking: id, status), at: now + 500)  // the outbox retries until acknowledged
                return
            }
            deliver(.paymentNotified(status), to: id, fromUser: false)
        }
    }

    var instant: SagaInstant { SagaInstant(millisecondsSinceEpoch: now) }

    /// Feeds one event to a persisted saga, the way the service does.
    mutating func deliver(_ event: SagaEvent, to id: String, fromUser: Bool) {
        guard var saga = store[id] else { return }
        let transition: SagaTransition
        do {
            transition = try saga.handle(event, now: instant, policy: policy)
        } catch {
            let userError: Set<SagaRejection.Reason> = [.holdNotGranted, .bookingExpired, .bookingCancelled, .paymentStarted]
            if !(fromUser && userError.contains(error.reason)) {
                violations.append("t=\(now) \(error)")
            }
            record(id, "\(event) rejected \(error.reason)", saga)
            return
        }
        guard transition.mustPersist || !transition.actions.isEmpty else { return }
        apply(transition, saga: saga, to: id, note: "\(event)")
    }

    /// Persist, then act — with crashes possible before the write, after it, and between calls.
    mutating func apply(_ transition: SagaTransition, saga: BookingSaga, to id: String, note: String) {
        if faulty && random.chance(configuration.crashChance) {
            crash()
            return
        }
        if transition.mustPersist { store[id] = saga }
        record(id, note, saga)
        if faulty && random.chance(configuration.crashChance) {
            crash()
            return
        }
        perform(transition.actions, for: id)
    }

    mutating func perform(_ actions: [SagaAction], for id: String) {
        for action in actions {
            switch action {
            case .call(let call):
                nextToken += 1
                outstanding[nextToken] = (id, call.kind)
                queue.schedule(.request(token: nextToken, incarnation: incarnation, booking: id, call),
                               at: now + random.int(in: 5...150))
                queue.schedule(.callDeadline(token: nextToken, incarnation: incarnation),
                               at: call.deadline.millisecondsSinceEpoch)
            case .wakeUp(let at):
                queue.schedule(.wakeUp(booking: id, incarnation: incarnation), at: max(now, at.millisecondsSinceEpoch))
            }
            if faulty && random.chance(configuration.crashChance / 2) {
                crash()
                return
            }
        }
    }

    mutating func crash() {
        up = false
        crashes += 1
        incarnation += 1
        outstanding.removeAll()
        queue.schedule(.restart, at: now + random.int(in: 50...3_000))
        if tracing { trace.append("t=\(now) CRASH") }
    }
}
