/// What the service layer must do after it has persisted the saga.
public enum SagaAction: Hashable, Sendable {
    /// Make this external call, then feed its answer back (or ``SagaEvent/callFailed(_:)`` when it
    /// fails or its deadline passes).
    case call(SagaCall)
    /// Deliver ``SagaEvent/timerFired`` at (or after) this instant. The same instant is persisted as
    /// ``BookingSaga/wakeUpAt``, so a recovery worker that scans for due sagas finds it after a crash.
    case wakeUp(at: SagaInstant)
}

/// The kinds of external call the saga makes.
public enum SagaCallKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// inventory HoldSeats
    case hold
    /// inventory PinHold
    case pin
    /// payment Charge
    case charge
    /// payment GetPayment (by booking id)
    case getPayment
    /// inventory ConfirmHold
    case confirm
    /// inventory ReleaseHold
    case release
    /// payment Refund
    case refund
}

/// One external call: what to ask, under which idempotency key, and by when.
///
/// Every attempt of a call carries the same ``idempotencyKey`` (booking id + step), so a retry after a
/// timeout or a crash is the same call to the receiving service and has the effect of one.
public struct SagaCall: Hashable, Sendable {
    /// The request to send.
    public var request: SagaRequest
    /// `<booking id>:<call kind>`: stable across retries and restarts.
    public var idempotencyKey: String
    /// The RPC deadline (`grpc-timeout` = deadline − now). Inside the hold window where one applies.
    public var deadline: SagaInstant
    /// 1 for the first attempt, counting every retry and resumption after it.
    public var attempt: Int

    /// The call's kind.
    public var kind: SagaCallKind { request.kind }

    /// Creates a call description.
    public init(request: SagaRequest, idempotencyKey: String, deadline: SagaInstant, attempt: Int) {
        self.request = request
        self.idempotencyKey = idempotencyKey
        self.deadline = deadline
        self.attempt = attempt
    }
}

/// The request of a ``SagaCall``, with the fields its RPC needs.
public enum SagaRequest: Hashable, Sendable {
    /// inventory HoldSeats: `holderId` is the user.
    case hold(eventId: Int64, holderId: String, selection: SeatSelection)
    /// inventory PinHold: keep the hold for `pinFor` past now (inventory bounds it).
    case pin(holdId: String, holderId: String, pinFor: Duration)
    /// payment Charge: `deadline` is ChargeRequest.deadline — no provider call may start that cannot finish by then.
    case charge(bookingId: String, amount: Money, paymentToken: String, deadline: SagaInstant)
    /// payment GetPayment by booking id.
    case getPayment(bookingId: String)
    /// inventory ConfirmHold: the sale's order reference is the booking id.
    case confirm(holdId: String, holderId: String, orderReference: String)
    /// inventory ReleaseHold.
    case release(holdId: String, holderId: String, reason: ReleaseReason)
    /// payment Refund of the booking's captured payment.
    case refund(bookingId: String, reason: String)

    /// The call kind of this request.
    public var kind: SagaCallKind {
        switch self {
        case .hold: .hold
        case .pin: .pin
        case .charge: .charge
        case .getPayment: .getPayment
        case .confirm: .confirm
        case .release: .release
        case .refund: .refund
        }
    }
}
