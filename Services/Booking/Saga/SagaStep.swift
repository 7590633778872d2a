/// Where a booking's saga stands. Each non-terminal step except `held` has exactly one outstanding
/// kind of external call (``callKind``); terminal steps are final and never change again.
public enum SagaStep: Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Inventory HoldSeats sent; waiting for the hold.
    case holdRequested
    /// Inventory refused the hold (sold out, cap, bad input). Terminal; no booking was ever held.
    case holdRefused
    /// Seats held until the hold's expiry; waiting for checkout, cancel or expiry.
    case held
    /// Checkout started: PinHold sent so a pending payment keeps the seats. No charge yet.
    case pinning
    /// Charge sent; its outcome is unknown until answered. From here on the seats are never freed on a guess.
    case charging
    /// The payment is PENDING: waiting for payment's notification, polling GetPayment meanwhile.
    case awaitingPayment
    /// The payment is captured; ConfirmHold sent.
    case confirming
    /// Captured but the hold could not be confirmed; Refund sent.
    case refunding
    /// ReleaseHold sent for the given reason.
    case releasing(ReleaseReason)
    /// Terminal: sold and paid.
    case confirmed
    /// Terminal: paid, not sold, refunded.
    case refunded
    /// Terminal: the charge was declined or never happened; seats released.
    case paymentFailed
    /// Terminal: the hold ran out before a charge; seats released.
    case expired
    /// Terminal: cancelled before payment; seats released.
    case cancelled

    /// Every step, each release reason separately.
    public static let allCases: [SagaStep] = [
        .holdRequested, .holdRefused, .held, .pinning, .charging, .awaitingPayment, .confirming, .refunding,
        .releasing(.cancelled), .releasing(.expired), .releasing(.paymentFailed),
        .confirmed, .refunded, .paymentFailed, .expired, .cancelled,
    ]

    /// True for the final steps; a terminal saga accepts only harmless late news and yields no actions.
    public var isTerminal: Bool {
        switch self {
        case .holdRefused, .confirmed, .refunded, .paymentFailed, .expired, .cancelled: true
        case .holdRequested, .held, .pinning, .charging, .awaitingPayment, .confirming, .refunding, .releasing: false
        }
    }

    /// The external call this step waits on, if any.
    public var callKind: SagaCallKind? {
        switch self {
        case .holdRequested: .hold
        case .pinning: .pin
        case .charging: .charge
        case .awaitingPayment: .getPayment
        case .confirming: .confirm
        case .refunding: .refund
        case .releasing: .release
        case .held, .holdRefused, .confirmed, .refunded, .paymentFailed, .expired, .cancelled: nil
        }
    }

    /// The status clients see; nil before inventory granted a hold (no booking to show yet).
    ///
    /// A step that is still compensating shows the outcome already decided: a booking releasing after a
    /// decline is PAYMENT_FAILED, one refunding is REFUNDED. Use ``isTerminal`` to know whether the
    /// compensating call has finished.
    public var bookingStatus: BookingStatus? {
        switch self {
        case .holdRequested, .holdRefused: nil
        case .held, .pinning: .held
        case .charging, .awaitingPayment, .confirming: .paymentPending
        case .confirmed: .confirmed
        case .refunding, .refunded: .refunded
        case .releasing(.paymentFailed), .paymentFailed: .paymentFailed
        case .releasing(.expired), .expired: .expired
        case .releasing(.cancelled), .cancelled: .cancelled
        }
    }

    /// Whether a call of `kind` may have been sent before the saga reached this step, so that its late
    /// answer or failure is stale news to ignore rather than a message that cannot be explained.
    func mayHaveSentEarlier(_ kind: SagaCallKind) -> Bool {
        switch kind {
        case .hold:
            return self != .holdRequested
        case .pin:
            switch self {
            case .charging, .awaitingPayment, .confirming, .refunding, .releasing(.paymentFailed), .releasing(.expired),
                 .confirmed, .refunded, .paymentFailed, .expired:
                return true
            default:
                return false
            }
        case .charge, .getPayment:
            return chargeWasSent && self != .charging
        case .confirm:
            return self == .refunding || self == .confirmed || self == .refunded
        case .release:
            return self == .cancelled || self == .expired || self == .paymentFailed
        case .refund:
            return self == .refunded
        }
    }

    /// Whether every path into this step sent a charge: payment reports make sense only then.
    var chargeWasSent: Bool {
        switch self {
        case .charging, .awaitingPayment, .confirming, .refunding, .releasing(.paymentFailed),
             .confirmed, .refunded, .paymentFailed:
            true
        default:
            false
        }
    }

    /// A stable text name, e.g. `held` or `releasing(expired)`: for a text column, logs and metrics labels.
    public var name: String { description }

    /// The step with this ``name``; nil for an unknown name.
    public init?(name: String) {
        guard let step = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = step
    }

    /// The same as ``name``.
    public var description: String {
        switch self {
        case .releasing(let reason): "releasing(\(reason.rawValue))"
        case .holdRequested: "holdRequested"
        case .holdRefused: "holdRefused"
        case .held: "held"
        case .pinning: "pinning"
        case .charging: "charging"
        case .awaitingPayment: "awaitingPayment"
        case .confirming: "confirming"
        case .refunding: "refunding"
        case .confirmed: "confirmed"
        case .refunded: "refunded"
        case .paymentFailed: "paymentFailed"
        case .expired: "expired"
        case .cancelled: "cancelled"
        }
    }
}
