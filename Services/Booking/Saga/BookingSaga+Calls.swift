extension BookingSaga {
    /// Moves to `next` and starts what it waits on: its call, its first poll, or its expiry timer.
    mutating func enter(_ next: SagaStep, _ now: SagaInstant, _ policy: SagaPolicy)
        throws(SagaRejection.Reason) -> [SagaAction]
    {
        step = next
        stepEnteredAt = now
        call = nil
        wakeUpAt = nil
        switch next {
        case .held:
            let expiry = try requireHold().expiresAt
            wakeUpAt = expiry
            return [.wakeUp(at: expiry)]
        case .awaitingPayment:
            // Payment's notification usually comes first; the poll is the fallback when it is lost.
            let firstPoll = now + policy.pollDelay(afterPolls: 0)
            call = SagaCallProgress(kind: .getPayment, attempt: 0, phase: .waiting(until: firstPoll))
            wakeUpAt = firstPoll
            return [.wakeUp(at: firstPoll)]
        default:
            return try issueCall(now, policy)
        }
    }

    /// Records the release reason and starts releasing the hold.
    mutating func release(_ reason: ReleaseReason, because why: String, _ now: SagaInstant, _ policy: SagaPolicy)
        throws(SagaRejection.Reason) -> [SagaAction]
    {
        failureReason = why
        return try enter(.releasing(reason), now, policy)
    }

    /// Sends (again) the call of the current step: the next attempt, same idempotency key, fresh deadline.
    mutating func issueCall(_ now: SagaInstant, _ policy: SagaPolicy) throws(SagaRejection.Reason) -> [SagaAction] {
        guard let kind = step.callKind else { return [] }
        let request = try request(for: kind, policy)
        let deadline = try deadline(for: kind, now, policy)
        let attempt = (call.flatMap { $0.kind == kind ? $0.attempt : nil } ?? 0) + 1
        call = SagaCallProgress(kind: kind, attempt: attempt, phase: .inFlight(deadline: deadline))
        let presumedLost = deadline + policy.lostCallGrace
        wakeUpAt = presumedLost
        let sagaCall = SagaCall(request: request, idempotencyKey: idempotencyKey(for: kind),
                                deadline: deadline, attempt: attempt)
        return [.call(sagaCall), .wakeUp(at: presumedLost)]
    }

    /// The in-flight call failed: wait with capped exponential backoff, then repeat it.
    mutating func backOff(_ now: SagaInstant, _ policy: SagaPolicy) -> [SagaAction] {
        guard var progress = call else { return [] }
        let retryAt = now + policy.backoff(afterAttempt: progress.attempt)
        progress.phase = .waiting(until: retryAt)
        call = progress
        wakeUpAt = retryAt
        return [.wakeUp(at: retryAt)]
    }

    /// The poll said "still pending": poll again later, less often each time.
    mutating func schedulePoll(_ now: SagaInstant, _ policy: SagaPolicy) -> [SagaAction] {
        guard var progress = call else { return [] }
        let nextPoll = now + policy.pollDelay(afterPolls: progress.attempt)
        progress.phase = .waiting(until: nextPoll)
        call = progress
        wakeUpAt = nextPoll
        return [.wakeUp(at: nextPoll)]
    }

    func requireHold() throws(SagaRejection.Reason) -> HoldGrant {
        guard let hold else { throw .inconsistentState }
        return hold
    }

    private func request(for kind: SagaCallKind, _ policy: SagaPolicy) throws(SagaRejection.Reason) -> SagaRequest {
        switch kind {
        case .hold:
            return .hold(eventId: eventId, holderId: userId, selection: selection)
        case .pin:
            return .pin(holdId: try requireHold().holdId, holderId: userId, pinFor: policy.pinDuration)
        case .charge:
            let hold = try requireHold()
            guard let checkout, let paymentDeadline = checkout.paymentDeadline else { throw .inconsistentState }
            return .charge(bookingId: bookingId, amount: hold.amount, paymentToken: checkout.paymentToken,
                           deadline: paymentDeadline)
        case .getPayment:
            return .getPayment(bookingId: bookingId)
        case .confirm:
            return .confirm(holdId: try requireHold().holdId, holderId: userId, orderReference: bookingId)
        case .release:
            guard case .releasing(let reason) = step else { throw .inconsistentState }
            return .release(holdId: try requireHold().holdId, holderId: userId, reason: reason)
        case .refund:
            return .refund(bookingId: bookingId, reason: failureReason ?? "seats could not be confirmed")
        }
    }

    /// The RPC deadline: the call's budget, cut to the window it must land in (pin before the hold's
    /// expiry, charge before the payment deadline, confirm before the pin ends) but never below the
    /// minimum budget, so a late retry can still learn what an earlier attempt did.
    private func deadline(for kind: SagaCallKind, _ now: SagaInstant, _ policy: SagaPolicy)
        throws(SagaRejection.Reason) -> SagaInstant
    {
        let window: SagaInstant?
        let budget: Duration
        switch kind {
        case .hold, .getPayment, .release, .refund:
            window = nil
            budget = policy.callTimeout
        case .pin:
            window = try requireHold().expiresAt
            budget = policy.callTimeout
        case .charge:
            window = checkout?.paymentDeadline
            budget = policy.chargeTimeout
        case .confirm:
            window = checkout?.pinnedUntil
            budget = policy.callTimeout
        }
        let full = now + budget
        guard let window else { return full }
        return max(min(full, window), now + policy.minimumCallBudget)
    }
}
