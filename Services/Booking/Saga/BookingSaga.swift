/// The persisted state of one booking's hold → pay → confirm saga, and the pure state machine that
/// moves it.
///
/// ## How the service layer drives it
/// The machine does no I/O and reads no clock; the service does both:
/// 1. **Start** a saga with ``start(bookingId:userId:eventId:selection:now:policy:)``.
/// 2. **Persist, then act.** Every ``handle(_:now:policy:)`` and ``resume(now:policy:)`` returns a
///    ``SagaTransition``. When ``SagaTransition/mustPersist`` is true, write the saga first — conditionally
///    on the previous ``version`` (`UPDATE … WHERE version = $old`) so two processes never both act —
///    and only then perform ``SagaTransition/actions``. A crash between the write and the calls is
///    harmless: ``resume(now:policy:)`` repeats them with the same idempotency keys. Acting before the
///    write could leave a charge that no persisted state knows about.
/// 3. **Feed results back** as events: each call's answer (`holdAnswered`, `pinAnswered`, …), or
///    ``SagaEvent/callFailed(_:)`` when it fails or its deadline passes; user requests; payment
///    notifications; ``SagaEvent/timerFired`` at ``wakeUpAt``. A ``SagaRejection`` leaves the saga untouched.
/// 4. **Resume on start**: load every non-terminal saga and call ``resume(now:policy:)``; in-flight calls
///    of the dead process are repeated at once. **Periodically** (the recovery worker), feed
///    ``SagaEvent/timerFired`` to every saga whose ``wakeUpAt`` has passed: that covers lost timers and
///    calls presumed lost (``wakeUpAt`` of an in-flight call is its deadline plus a grace), without
///    duplicating calls a live process is still waiting on.
///
/// The user-facing RPCs read ``status`` after feeding their event: HoldSeats answers once the saga
/// leaves `holdRequested`; Checkout once it leaves `pinning` and `charging` (CONFIRMED, PAYMENT_PENDING
/// or PAYMENT_FAILED), or at its own deadline with PAYMENT_PENDING.
///
/// ```
/// holdRequested ─granted─▶ held ─checkout─▶ pinning ─pinned─▶ charging ─captured─▶ confirming ─confirmed─▶ CONFIRMED
///     │refused              │cancel/expiry     │gone/expiry       │ │pending            │hold gone
///     ▼                     ▼                  ▼                  │ ▼                   ▼
/// HOLD REFUSED       releasing(cancelled    releasing(expired)    │ awaitingPayment   refunding ─▶ REFUNDED
///                    or expired) ─▶         ─▶ EXPIRED            │  (polls; captured → confirming)
///                    CANCELLED / EXPIRED                          └─declined / not charged─▶ releasing(paymentFailed) ─▶ PAYMENT FAILED
/// ```
///
/// Serialize the events of one booking (one at a time, e.g. under the row lock or the version check);
/// different bookings are independent. The value is `Codable` for storage as one JSON column, next to
/// indexed copies of ``status``, ``wakeUpAt`` and ``version``.
///
/// ## Safety rules the machine keeps
/// - A call whose outcome is unknown is retried, same key, with capped exponential backoff — never
///   guessed. Once a charge is sent the seats are never released on a guess: a timed-out charge stays
///   PAYMENT_PENDING with the hold pinned until payment reports an outcome.
/// - Charges start only after the hold is pinned, with a payment deadline inside the pinned window.
/// - A captured payment ends CONFIRMED or, when inventory says the hold is gone, REFUNDED.
/// - Terminal steps are final; late, repeated and out-of-order news is accepted and ignored.
public struct BookingSaga: Hashable, Sendable, Codable {
    /// The booking's id; every idempotency key starts with it and payment charges by it.
    public let bookingId: String
    /// The user: inventory's holder id.
    public let userId: String
    /// The inventory event.
    public let eventId: Int64
    /// What the user asked to hold; kept so a lost HoldSeats can be repeated.
    public let selection: SeatSelection
    /// When the saga started.
    public let createdAt: SagaInstant

    /// The current step.
    public internal(set) var step: SagaStep
    /// Incremented by every accepted change: the optimistic-concurrency version for persistence.
    public internal(set) var version: Int64
    /// When the saga last changed.
    public internal(set) var updatedAt: SagaInstant
    /// When the saga entered its current step: for time-in-step metrics and alerts (a payment
    /// pending too long, a release that keeps failing).
    public internal(set) var stepEnteredAt: SagaInstant
    /// The hold inventory granted, once it did.
    public internal(set) var hold: HoldGrant?
    /// The payment terms, once checkout started.
    public internal(set) var checkout: CheckoutTerms?
    /// What became of the payment, once known.
    public internal(set) var paymentOutcome: PaymentOutcome?
    /// Why the booking did not become a sale (hold refused, expired, declined, refunded).
    public internal(set) var failureReason: String?
    /// Progress of the step's outstanding call (nil in `held` and terminal steps).
    public internal(set) var call: SagaCallProgress?
    /// When the saga next needs ``SagaEvent/timerFired``: the hold's expiry, a retry, a poll, or the
    /// point where an in-flight call counts as lost. Nil for terminal sagas.
    public internal(set) var wakeUpAt: SagaInstant?

    /// The status clients see; nil until inventory granted the hold.
    public var status: BookingStatus? { step.bookingStatus }

    /// True once the saga is final.
    public var isTerminal: Bool { step.isTerminal }

    /// Starts a saga by asking inventory for the hold.
    ///
    /// Persist the returned saga, then perform the returned actions (one HoldSeats call and its wake-up).
    public static func start(
        bookingId: String, userId: String, eventId: Int64, selection: SeatSelection,
        now: SagaInstant, policy: SagaPolicy
    ) -> (saga: BookingSaga, actions: [SagaAction]) {
        var saga = BookingSaga(bookingId: bookingId, userId: userId, eventId: eventId, selection: selection,
                               createdAt: now)
        // A fresh saga has nothing that can be inconsistent, so issuing its first call cannot fail.
        let actions = (try? saga.issueCall(now, policy)) ?? []
        return (saga, actions)
    }

    /// A saga in `holdRequested` with no call issued yet; ``start(bookingId:userId:eventId:selection:now:policy:)``
    /// is the way in for the service.
    init(bookingId: String, userId: String, eventId: Int64, selection: SeatSelection, createdAt: SagaInstant) {
        self.bookingId = bookingId
        self.userId = userId
        self.eventId = eventId
        self.selection = selection
        self.createdAt = createdAt
        self.step = .holdRequested
        self.version = 0
        self.updatedAt = createdAt
        self.stepEnteredAt = createdAt
    }

    /// The idempotency key of this saga's call of `kind`: `<booking id>:<kind>`.
    public func idempotencyKey(for kind: SagaCallKind) -> String {
        "\(bookingId):\(kind.rawValue)"
    }
}

/// Progress of the outstanding call of a saga step.
public struct SagaCallProgress: Hashable, Sendable, Codable {
    /// The call's kind (the step's ``SagaStep/callKind``).
    public var kind: SagaCallKind
    /// Attempts made so far (0 before the first GetPayment poll).
    public var attempt: Int
    /// Whether an attempt is in flight or the next one waits.
    public var phase: Phase

    /// The phase of a call.
    public enum Phase: Hashable, Sendable, Codable {
        /// An attempt was sent with this deadline.
        case inFlight(deadline: SagaInstant)
        /// The next attempt is due at this instant (retry backoff or poll interval).
        case waiting(until: SagaInstant)
    }
}

/// The result of feeding the saga: whether to persist, and what to do afterwards.
public struct SagaTransition: Hashable, Sendable {
    /// The saga changed: persist it (conditionally on its previous version) before any action.
    public var mustPersist: Bool
    /// The calls and wake-up to perform, in order, after persisting.
    public var actions: [SagaAction]

    /// Creates a transition result.
    public init(mustPersist: Bool, actions: [SagaAction]) {
        self.mustPersist = mustPersist
        self.actions = actions
    }

    /// Nothing changed and nothing to do.
    public static let unchanged = SagaTransition(mustPersist: false, actions: [])
}
