/// Something that happened to a booking: a user request, an answer to one of the saga's calls, a
/// payment report, a failed call, or a timer. Time is not an event field: every `handle` gets `now`.
///
/// Turning an RPC result into an event is the caller's one judgement: only a *definite* answer may
/// become an answer event; everything else is ``callFailed(_:)`` and gets retried.
///
/// | call | answer event | definite "no" | everything else |
/// |---|---|---|---|
/// | HoldSeats | `holdAnswered(.granted)` | sold out, over the cap, sale not started, unknown seats → `holdAnswered(.refused)` | `callFailed(.hold)` |
/// | PinHold | `pinAnswered(.pinned)` | hold expired / released / unknown → `pinAnswered(.holdGone)` | `callFailed(.pin)` |
/// | Charge | `chargeAnswered(payment.status)` | deadline already past, nothing started → `chargeAnswered(.notCharged)` | `callFailed(.charge)` (ABORTED = in flight) |
/// | GetPayment | `paymentPolled(payment.status)` | — | `callFailed(.getPayment)` |
/// | ConfirmHold | `confirmAnswered(.confirmed)` | hold expired / released → `confirmAnswered(.holdGone)` | `callFailed(.confirm)` |
/// | ReleaseHold | `releaseAnswered` (also for an already released, expired or unknown hold) | — | `callFailed(.release)` |
/// | Refund | `refundAnswered` | — | `callFailed(.refund)` |
public enum SagaEvent: Hashable, Sendable, CustomStringConvertible {
    /// Inventory answered HoldSeats.
    case holdAnswered(HoldAnswer)
    /// The user asked to pay with `paymentToken` (Checkout).
    case checkoutRequested(paymentToken: String)
    /// The user asked to cancel (CancelBooking).
    case cancelRequested
    /// Inventory answered PinHold.
    case pinAnswered(PinAnswer)
    /// Payment answered Charge with the payment's status.
    case chargeAnswered(PaymentStatus)
    /// Payment answered the saga's GetPayment poll.
    case paymentPolled(PaymentStatus)
    /// Payment's outbox delivered an outcome (NotifyPaymentOutcome); may be late, repeated or out of order.
    case paymentNotified(PaymentStatus)
    /// Inventory answered ConfirmHold.
    case confirmAnswered(ConfirmAnswer)
    /// Inventory answered ReleaseHold (release is idempotent: released, expired or gone all count).
    case releaseAnswered
    /// Payment answered Refund.
    case refundAnswered
    /// A call of this kind got no definite answer: transport error, DEADLINE_EXCEEDED, UNAVAILABLE,
    /// ABORTED (in flight elsewhere), a rate limit, INTERNAL. Its outcome is unknown; the saga retries it
    /// with the same idempotency key after a backoff, and never guesses.
    case callFailed(SagaCallKind)
    /// The time in ``BookingSaga/wakeUpAt`` has come (earlier or repeated firings are harmless).
    case timerFired

    /// Inventory's answer to HoldSeats.
    public enum HoldAnswer: Hashable, Sendable {
        /// The hold exists (a repeated request with the same key returns the same hold).
        case granted(HoldGrant)
        /// A definite no: sold out, over the cap, sale not started, unknown seats.
        case refused(reason: String)
    }

    /// Inventory's answer to PinHold.
    public enum PinAnswer: Hashable, Sendable {
        /// The hold is kept until this instant.
        case pinned(until: SagaInstant)
        /// The hold is no longer this booking's (expired, swept or released): nothing to pay for.
        case holdGone
    }

    /// Inventory's answer to ConfirmHold.
    public enum ConfirmAnswer: Hashable, Sendable {
        /// The seats are sold to this booking (also the answer to a repeated confirm).
        case confirmed
        /// The hold expired or was released before the confirm: the seats cannot be sold to this booking.
        case holdGone
    }

    /// A log-friendly rendering that leaves out the payment token.
    public var description: String {
        switch self {
        case .holdAnswered(.granted(let grant)): "holdAnswered(granted \(grant.holdId) until \(grant.expiresAt))"
        case .holdAnswered(.refused(let reason)): "holdAnswered(refused: \(reason))"
        case .checkoutRequested: "checkoutRequested"
        case .cancelRequested: "cancelRequested"
        case .pinAnswered(.pinned(let until)): "pinAnswered(pinned until \(until))"
        case .pinAnswered(.holdGone): "pinAnswered(holdGone)"
        case .chargeAnswered(let status): "chargeAnswered(\(status.rawValue))"
        case .paymentPolled(let status): "paymentPolled(\(status.rawValue))"
        case .paymentNotified(let status): "paymentNotified(\(status.rawValue))"
        case .confirmAnswered(let answer): "confirmAnswered(\(answer))"
        case .releaseAnswered: "releaseAnswered"
        case .refundAnswered: "refundAnswered"
        case .callFailed(let kind): "callFailed(\(kind.rawValue))"
        case .timerFired: "timerFired"
        }
    }
}
