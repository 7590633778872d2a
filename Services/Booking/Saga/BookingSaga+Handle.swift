extension BookingSaga {
    /// Applies one event at `now` and says what to persist and do.
    ///
    /// Accepted events either change the saga (``SagaTransition/mustPersist`` is true and ``version``
    /// grows by one) or are harmless news that changes nothing (a late answer, a repeated notification,
    /// a timer that fired early). Refused events throw and leave the saga exactly as it was.
    public mutating func handle(_ event: SagaEvent, now: SagaInstant, policy: SagaPolicy)
        throws(SagaRejection) -> SagaTransition
    {
        var next = self
        let actions: [SagaAction]?
        do {
            actions = try next.apply(event, now: now, policy: policy)
        } catch {
            throw SagaRejection(error, step: step, event: event)
        }
        guard let actions else { return .unchanged }
        next.version += 1
        next.updatedAt = now
        self = next
        return SagaTransition(mustPersist: true, actions: actions)
    }

    /// Continues a saga loaded from storage when the service starts (after a crash or a deploy).
    ///
    /// An in-flight call is assumed lost with the process that sent it and is repeated at once with the
    /// same idempotency key (a recovery worker running beside live processes should feed
    /// ``SagaEvent/timerFired`` to due sagas instead, which repeats only calls past their deadline); a due retry, poll or expiry happens now; otherwise the only action is the
    /// wake-up to schedule. Terminal sagas yield nothing.
    public mutating func resume(now: SagaInstant, policy: SagaPolicy) throws(SagaRejection) -> SagaTransition {
        guard !isTerminal else { return .unchanged }
        var next = self
        if let progress = next.call, case .inFlight = progress.phase {
            next.call?.phase = .waiting(until: now)
            next.wakeUpAt = now
        }
        let actions: [SagaAction]?
        do {
            actions = try next.apply(.timerFired, now: now, policy: policy)
        } catch {
            throw SagaRejection(error, step: step, event: .timerFired)
        }
        guard let actions else {
            return SagaTransition(mustPersist: false, actions: wakeUpAt.map { [.wakeUp(at: $0)] } ?? [])
        }
        next.version += 1
        next.updatedAt = now
        self = next
        return SagaTransition(mustPersist: true, actions: actions)
    }

    /// The transition function: nil for accepted news that changes nothing.
    private mutating func apply(_ event: SagaEvent, now: SagaInstant, policy: SagaPolicy)
        throws(SagaRejection.Reason) -> [SagaAction]?
    {
        switch event {
        case .holdAnswered(let answer):
            // Every saga asks for its hold first, so outside `holdRequested` this is a late repeat.
            guard step == .holdRequested else { return nil }
            switch answer {
            case .granted(let grant):
                hold = grant
                if now >= grant.expiresAt {
                    return try release(.expired, because: "hold expired before its grant was received", now, policy)
                }
                return try enter(.held, now, policy)
            case .refused(let reason):
                failureReason = reason
                return try enter(.holdRefused, now, policy)
            }

        case .checkoutRequested(let paymentToken):
            switch step {
            case .holdRequested, .holdRefused:
                throw .holdNotGranted
            case .held:
                if now >= (try requireHold()).expiresAt {
                    return try release(.expired, because: "hold expired before checkout", now, policy)
                }
                checkout = CheckoutTerms(paymentToken: paymentToken, requestedAt: now)
                return try enter(.pinning, now, policy)
            case .releasing(.cancelled), .cancelled:
                throw .bookingCancelled
            case .releasing(.expired), .expired:
                throw .bookingExpired
            case .pinning, .charging, .awaitingPayment, .confirming, .refunding, .releasing(.paymentFailed),
                 .confirmed, .refunded, .paymentFailed:
                return nil  // checkout already ran: a repeated request sees the current state
            }

        case .cancelRequested:
            switch step {
            case .holdRequested, .holdRefused:
                throw .holdNotGranted
            case .held:
                if now >= (try requireHold()).expiresAt {
                    return try release(.expired, because: "hold expired", now, policy)
                }
                return try release(.cancelled, because: "cancelled by the user", now, policy)
            case .pinning, .charging, .awaitingPayment, .confirming, .refunding, .confirmed, .refunded:
                throw .paymentStarted
            case .releasing, .paymentFailed, .expired, .cancelled:
                return nil  // already released or releasing without a sale
            }

        case .pinAnswered(let answer):
            guard step == .pinning else { return try staleAnswer(of: .pin) }
            switch answer {
            case .pinned(let until):
                guard var terms = checkout else { throw .inconsistentState }
                terms.pinnedUntil = until
                terms.paymentDeadline = until - policy.paymentDecisionMargin
                checkout = terms
                return try enter(.charging, now, policy)
            case .holdGone:
                return try release(.expired, because: "hold lost before payment", now, policy)
            }

        case .chargeAnswered(let status):
            return try observePayment(status, answering: .charge, now, policy)
        case .paymentPolled(let status):
            return try observePayment(status, answering: .getPayment, now, policy)
        case .paymentNotified(let status):
            return try observePayment(status, answering: nil, now, policy)

        case .confirmAnswered(let answer):
            switch (step, answer) {
            case (.confirming, .confirmed):
                return try enter(.confirmed, now, policy)
            case (.confirming, .holdGone):
                failureReason = "paid, but the hold was gone before the seats could be confirmed"
                return try enter(.refunding, now, policy)
            case (.confirmed, .confirmed), (.refunding, .holdGone), (.refunded, .holdGone):
                return nil
            case (.confirmed, .holdGone), (.refunding, .confirmed), (.refunded, .confirmed):
                throw .contradictsRecordedOutcome  // inventory answers a confirm key the same way every time
            default:
                throw .unexpectedAnswer
            }

        case .releaseAnswered:
            guard case .releasing(let reason) = step else { return try staleAnswer(of: .release) }
            return try enter(reason.terminalStep, now, policy)

        case .refundAnswered:
            guard step == .refunding else { return try staleAnswer(of: .refund) }
            paymentOutcome = .refunded
            return try enter(.refunded, now, policy)

        case .callFailed(let kind):
            guard step.callKind == kind, let progress = call else { return try staleAnswer(of: kind) }
            guard case .inFlight = progress.phase else { return nil }  // already backing off
            if step == .pinning, now >= (try requireHold()).expiresAt {
                // No charge was sent, so giving up is safe; without a pin the hold is gone or going.
                return try release(.expired, because: "hold could not be pinned before it expired", now, policy)
            }
            return backOff(now, policy)

        case .timerFired:
            guard let due = wakeUpAt, now >= due else { return nil }
            switch step {
            case .held:
                return try release(.expired, because: "hold expired", now, policy)
            case .pinning where now >= (try requireHold()).expiresAt:
                return try release(.expired, because: "hold could not be pinned before it expired", now, policy)
            default:
                guard step.callKind != nil else { return nil }
                return try issueCall(now, policy)  // a retry, a poll, or a call presumed lost
            }
        }
    }

    /// Applies a payment report from a Charge answer, a poll (`answering: .getPayment`) or a
    /// notification (`answering: nil`): forward news moves the saga, old news is ignored, and news
    /// that contradicts a recorded outcome is refused.
    private mutating func observePayment(
        _ status: PaymentStatus, answering kind: SagaCallKind?, _ now: SagaInstant, _ policy: SagaPolicy
    ) throws(SagaRejection.Reason) -> [SagaAction]? {
        switch step {
        case .charging, .awaitingPayment:
            switch status {
            case .pending:
                if kind == .charge && step == .charging {
                    return try enter(.awaitingPayment, now, policy)
                }
                if kind == .getPayment, step == .awaitingPayment, let progress = call, case .inFlight = progress.phase {
                    return schedulePoll(now, policy)
                }
                return nil
            case .captured:
                paymentOutcome = .captured
                return try enter(.confirming, now, policy)
            case .declined:
                paymentOutcome = .declined
                return try release(.paymentFailed, because: "payment declined", now, policy)
            case .notCharged:
                paymentOutcome = .notCharged
                return try release(.paymentFailed, because: "payment not charged", now, policy)
            case .refunded:
                throw .contradictsRecordedOutcome  // payment refunds only when the saga asks
            }
        case .confirming, .confirmed:
            guard status == .pending || status == .captured else { throw .contradictsRecordedOutcome }
            return nil
        case .refunding:
            switch status {
            case .pending, .captured:
                return nil
            case .refunded:
                paymentOutcome = .refunded
                return try enter(.refunded, now, policy)
            case .declined, .notCharged:
                throw .contradictsRecordedOutcome
            }
        case .refunded:
            guard status != .declined && status != .notCharged else { throw .contradictsRecordedOutcome }
            return nil
        case .releasing(.paymentFailed), .paymentFailed:
            // CAPTURED after DECLINED / NOT_CHARGED breaks payment's contract (both are final there).
            guard status == .pending || status == .declined || status == .notCharged else {
                throw .contradictsRecordedOutcome
            }
            return nil
        case .holdRequested, .holdRefused, .held, .pinning, .releasing(.cancelled), .releasing(.expired),
             .expired, .cancelled:
            throw .unexpectedAnswer  // no charge was ever sent for this booking
        }
    }

    /// A late answer or failure of a call the saga has moved past: ignored if it may have been sent, refused if not.
    private func staleAnswer(of kind: SagaCallKind) throws(SagaRejection.Reason) -> [SagaAction]? {
        guard step.mayHaveSentEarlier(kind) else { throw .unexpectedAnswer }
        return nil
    }
}

extension ReleaseReason {
    /// The terminal step a release for this reason ends in.
    var terminalStep: SagaStep {
        switch self {
        case .cancelled: .cancelled
        case .expired: .expired
        case .paymentFailed: .paymentFailed
        }
    }
}
