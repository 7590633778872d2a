/// One shopper's way through a drop as a state machine: queue → hold → checkout (or abandon or
/// cancel) → wait for a pending payment. It performs no I/O: the driver performs each returned
/// ``Action`` and feeds the answer back as an ``Event``; every wait and retry is bounded here.
public struct ShopperJourney: Sendable {
    /// The next thing the driver does.
    public enum Action: Sendable, Hashable {
        /// Call EnterQueue.
        case enterQueue
        /// Watch the queue on the WatchQueue stream for at most `for`.
        case watchQueue(ticket: String, for: Duration)
        /// Wait `after`, then call GetQueueStatus.
        case pollQueue(ticket: String, after: Duration)
        /// Call HoldSeats with this request, admission token and idempotency key.
        case hold(HoldRequestPlan, admissionToken: String, key: String)
        /// Call Checkout.
        case checkout(booking: String, paymentToken: String, key: String)
        /// Call CancelBooking.
        case cancel(booking: String, key: String)
        /// Wait `after`, then call GetBooking.
        case pollBooking(booking: String, after: Duration)
        /// The journey is over.
        case finish(ShopperOutcome)
    }

    /// An answer the driver feeds back.
    public enum Event: Sendable, Hashable {
        /// EnterQueue, GetQueueStatus or WatchQueue answered (WatchQueue: its last message).
        case queue(QueueAnswer)
        /// A queue call ended without an answer (WatchQueue: also when its time ran out).
        case queueCallFailed(HistoryOutcome)
        /// Nothing is left to sell and nothing held can come back: stop waiting.
        case soldOut
        /// HoldSeats answered with a booking.
        case held(booking: String)
        /// HoldSeats did not answer with a booking.
        case holdFailed(HistoryOutcome)
        /// Checkout, GetBooking or CancelBooking answered with the booking's status.
        case booking(BookingState)
        /// Checkout, GetBooking or CancelBooking ended without an answer.
        case bookingCallFailed(HistoryOutcome)
    }

    /// What a queue call told the shopper.
    public struct QueueAnswer: Sendable, Hashable {
        /// The ticket id.
        public var ticket: String
        /// Waiting, admitted or expired.
        public var state: QueueState
        /// The admission token, once admitted.
        public var admissionToken: String?
        /// The server's estimate of the wait.
        public var estimatedWait: Duration?

        /// Creates an answer.
        public init(ticket: String, state: QueueState, admissionToken: String? = nil, estimatedWait: Duration? = nil) {
            self.ticket = ticket
            self.state = state
            self.admissionToken = admissionToken
            self.estimatedWait = estimatedWait
        }
    }

    /// A queue state as the shopper reads it.
    public enum QueueState: Sendable, Hashable {
        case waiting, admitted, expired
    }

    /// A booking status as the shopper reads it.
    public enum BookingState: String, Sendable, Hashable {
        case held, paymentPending, confirmed, paymentFailed, expired, cancelled, refunded, unknown
    }

    /// Bounds on waits and retries.
    public struct Limits: Sendable, Hashable {
        /// The longest wait in the queue.
        public var maxQueueWait: Duration
        /// Pause between queue polls.
        public var queuePollInterval: Duration
        /// Retries of a Checkout with an unknown outcome.
        public var checkoutRetries: Int
        /// How long a pending booking is polled.
        public var pendingPollLimit: Duration
        /// Queue calls that may fail in a row before the shopper gives up.
        public var queueErrorLimit = 8
        /// Times an expired queue place is re-entered.
        public var queueReentries = 1

        /// Limits taken from a drop's configuration.
        public init(_ configuration: DropConfiguration) {
            maxQueueWait = configuration.maxQueueWait
            queuePollInterval = configuration.queuePollInterval
            checkoutRetries = configuration.checkoutRetries
            pendingPollLimit = configuration.pendingPollLimit
        }
    }

    private enum State: Sendable, Hashable {
        case start
        case entering(failures: Int)
        case waiting(ticket: String, failures: Int)
        case holding(token: String, attempt: Int, calls: Int)
        case checkingOut(booking: String, attempt: Int)
        case cancelling(booking: String, attempt: Int)
        case pending(booking: String, since: Duration, polls: Int)
        case done(ShopperOutcome)
    }

    /// The shopper's plan.
    public let plan: ShopperPlan
    private let limits: Limits
    private var state = State.start
    private var queueEntries = 0
    private var queueEnteredAt: Duration = .zero
    /// The booking the shopper holds, once it holds one.
    public private(set) var booking: String?

    /// A journey for `plan` within `limits`.
    public init(plan: ShopperPlan, limits: Limits) {
        self.plan = plan
        self.limits = limits
    }

    /// The outcome, once finished.
    public var outcome: ShopperOutcome? {
        if case .done(let outcome) = state { outcome } else { nil }
    }

    /// The first action: enter the queue. `now` is time since the drop started.
    public mutating func start(now: Duration) -> Action {
        queueEntries = 1
        queueEnteredAt = now
        state = .entering(failures: 0)
        return .enterQueue
    }

    /// The next action after `event`, at `now` (time since the drop started).
    public mutating func next(after event: Event, now: Duration) -> Action {
        switch (state, event) {
        case (.done(let outcome), _):
            return .finish(outcome)

        case (.entering, .soldOut), (.waiting, .soldOut), (.holding, .soldOut):
            return finish(.soldOut)

        case (.entering(let failures), .queueCallFailed):
            guard failures + 1 < limits.queueErrorLimit else { return finish(.error) }
            state = .entering(failures: failures + 1)
            return .enterQueue

        case (.entering, .queue(let answer)), (.waiting, .queue(let answer)):
            return afterQueueAnswer(answer, now: now)

        case (.waiting(let ticket, let failures), .queueCallFailed):
            guard failures + 1 < limits.queueErrorLimit else { return finish(.error) }
            guard now - queueEnteredAt < limits.maxQueueWait else { return finish(.queueTimeout) }
            state = .waiting(ticket: ticket, failures: failures + 1)
            return .pollQueue(ticket: ticket, after: limits.queuePollInterval)

        case (.holding, .held(let booking)):
            self.booking = booking
            switch plan.checkout {
            case .pay(let paymentToken):
                state = .checkingOut(booking: booking, attempt: 0)
                return .checkout(booking: booking, paymentToken: paymentToken, key: key("checkout"))
            case .abandon:
                return finish(.abandoned)
            case .cancel:
                state = .cancelling(booking: booking, attempt: 0)
                return .cancel(booking: booking, key: key("cancel"))
            }

        case (.holding(let token, let attempt, let calls), .holdFailed(let outcome)):
            // An unknown outcome is retried with the same request and key, so at most one hold results;
            // a refusal moves on to the next request. Both are bounded by the number of calls.
            let nextAttempt = outcome == .unknown ? attempt : attempt + 1
            guard nextAttempt < plan.holdRequests.count, calls + 1 < plan.holdRequests.count + 2 else {
                return finish(outcome == .unknown ? .error : .holdRefused)
            }
            state = .holding(token: token, attempt: nextAttempt, calls: calls + 1)
            return .hold(plan.holdRequests[nextAttempt], admissionToken: token, key: key("hold\(nextAttempt)"))

        case (.checkingOut(let booking, _), .booking(let status)), (.cancelling(let booking, _), .booking(let status)):
            return afterBookingStatus(status, booking: booking, now: now, polls: 0, since: now)

        case (.checkingOut(let booking, let attempt), .bookingCallFailed(let outcome)):
            guard let paymentToken = plan.checkout.paymentToken else { return finish(.error) }
            if outcome == .failed { return finish(.checkoutRefused) }
            if attempt < limits.checkoutRetries {
                state = .checkingOut(booking: booking, attempt: attempt + 1)
                return .checkout(booking: booking, paymentToken: paymentToken, key: key("checkout"))
            }
            state = .pending(booking: booking, since: now, polls: 0)
            return .pollBooking(booking: booking, after: pollDelay(0))

        case (.cancelling(let booking, let attempt), .bookingCallFailed(let outcome)):
            if outcome == .unknown && attempt < 1 {
                state = .cancelling(booking: booking, attempt: attempt + 1)
                return .cancel(booking: booking, key: key("cancel"))
            }
            return finish(.error)

        case (.pending(let booking, let since, let polls), .booking(let status)):
            return afterBookingStatus(status, booking: booking, now: now, polls: polls + 1, since: since)

        case (.pending(let booking, let since, let polls), .bookingCallFailed):
            guard now - since < limits.pendingPollLimit else { return finish(.unresolved) }
            state = .pending(booking: booking, since: since, polls: polls + 1)
            return .pollBooking(booking: booking, after: pollDelay(polls + 1))

        default:
            // An answer that does not belong to the current step: a driver bug; end rather than loop.
            return finish(.error)
        }
    }

    private mutating func afterQueueAnswer(_ answer: QueueAnswer, now: Duration) -> Action {
        switch answer.state {
        case .admitted:
            guard let token = answer.admissionToken, !token.isEmpty, let first = plan.holdRequests.first else {
                return finish(.error)
            }
            state = .holding(token: token, attempt: 0, calls: 1)
            return .hold(first, admissionToken: token, key: key("hold0"))
        case .expired:
            guard queueEntries <= limits.queueReentries else { return finish(.queueExpired) }
            queueEntries += 1
            state = .entering(failures: 0)
            return .enterQueue
        case .waiting:
            guard now - queueEnteredAt < limits.maxQueueWait else { return finish(.queueTimeout) }
            state = .waiting(ticket: answer.ticket, failures: 0)
            if plan.watchesQueue {
                let left = limits.maxQueueWait - (now - queueEnteredAt)
                // Short windows, so a watcher notices a sell-out between them.
                return .watchQueue(ticket: answer.ticket, for: min(left, .seconds(5)))
            }
            var pause = limits.queuePollInterval
            if let estimate = answer.estimatedWait, estimate > .zero { pause = max(.milliseconds(200), min(pause, estimate)) }
            return .pollQueue(ticket: answer.ticket, after: pause)
        }
    }

    private mutating func afterBookingStatus(_ status: BookingState, booking: String, now: Duration, polls: Int,
                                             since: Duration) -> Action {
        switch status {
        case .confirmed: return finish(.confirmed)
        case .paymentFailed: return finish(.paymentFailed)
        case .expired: return finish(.expired)
        case .cancelled: return finish(.cancelled)
        case .refunded: return finish(.refunded)
        case .paymentPending, .held, .unknown:
            // HELD after Checkout: the saga has not started paying yet; poll like a pending payment.
            guard now - since < limits.pendingPollLimit else { return finish(.unresolved) }
            state = .pending(booking: booking, since: since, polls: polls)
            return .pollBooking(booking: booking, after: pollDelay(polls))
        }
    }

    /// 250 ms, doubling to at most 2 s.
    private func pollDelay(_ polls: Int) -> Duration {
        .milliseconds(250 * (1 << min(polls, 3)))
    }

    /// Idempotency keys: stable per shopper and step, so a retry repeats the same key.
    private func key(_ step: String) -> String {
        "\(plan.userID)-\(step)"
    }

    private mutating func finish(_ outcome: ShopperOutcome) -> Action {
        state = .done(outcome)
        return .finish(outcome)
    }
}

extension CheckoutChoice {
    /// The payment token, when the choice is to pay.
    var paymentToken: String? {
        if case .pay(let token) = self { token } else { nil }
    }
}

/// How a shopper's journey ended.
public enum ShopperOutcome: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Bought tickets.
    case confirmed
    /// Gave up: the event sold out while it waited.
    case soldOut = "sold_out"
    /// Waited in the queue longer than allowed.
    case queueTimeout = "queue_timeout"
    /// Lost its queue place twice.
    case queueExpired = "queue_expired"
    /// Every hold it tried was refused.
    case holdRefused = "hold_refused"
    /// Walked away from its hold.
    case abandoned
    /// Cancelled its booking.
    case cancelled
    /// Checkout was refused (e.g. the hold had expired).
    case checkoutRefused = "checkout_refused"
    /// The payment was declined or not charged.
    case paymentFailed = "payment_failed"
    /// The booking expired.
    case expired
    /// Paid, but the seats could not be confirmed: refunded.
    case refunded
    /// Still pending when the shopper stopped polling.
    case unresolved
    /// Calls kept failing.
    case error

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
