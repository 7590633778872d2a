public import BoxOfficeAPI
public import BoxOfficeRPC

/// What one saga call produced: the event to feed back, and booking details that came with the answer.
public struct SagaCallOutcome: Hashable, Sendable {
    /// The event for the saga.
    public var event: SagaEvent
    /// The seats of a granted hold (HoldSeats only).
    public var seats: [BookedSeatDetail]?
    /// Payment's id of the booking's payment (payment calls only).
    public var paymentId: String?

    /// Creates an outcome.
    public init(event: SagaEvent, seats: [BookedSeatDetail]? = nil, paymentId: String? = nil) {
        self.event = event
        self.seats = seats
        self.paymentId = paymentId
    }
}

/// Turns RPC results into saga events, without I/O: only a definite answer becomes an answer event,
/// everything whose outcome is unknown becomes ``SagaEvent/callFailed(_:)`` (see ``SagaEvent``'s table).
public enum SagaAnswers {
    /// Codes by which inventory says a definite "no" about a hold request or a hold.
    static let definiteRefusals: Set<RPCError.Code> = [
        .resourceExhausted, .notFound, .invalidArgument, .failedPrecondition, .alreadyExists, .outOfRange,
    ]

    /// HoldSeats.
    public static func hold(_ result: Result<Boxoffice_Inventory_V1_HoldSeatsResponse, RPCError>) -> SagaCallOutcome {
        switch result {
        case .success(let response):
            guard let hold = response.hold, !hold.id.isEmpty, let expiresAt = hold.expiresAt else {
                return SagaCallOutcome(event: .callFailed(.hold))
            }
            let price = hold.totalPrice ?? Boxoffice_Common_V1_Money()
            let grant = HoldGrant(holdId: hold.id, expiresAt: SagaInstant(expiresAt.date),
                                  amount: Money(amountMinor: price.amountMinor, currency: price.currency))
            let seats = hold.seats.map {
                BookedSeatDetail(seatId: $0.id, sectionCode: $0.sectionCode, row: $0.row, number: $0.number,
                                 priceTier: $0.priceTier)
            }
            return SagaCallOutcome(event: .holdAnswered(.granted(grant)), seats: seats)
        case .failure(let error) where definiteRefusals.contains(error.code):
            // The code leads the reason so HoldSeats can answer with inventory's status.
            return SagaCallOutcome(event: .holdAnswered(.refused(reason: "\(error.code): \(error.message)")))
        case .failure:
            return SagaCallOutcome(event: .callFailed(.hold))
        }
    }

    /// PinHold.
    public static func pin(_ result: Result<Boxoffice_Inventory_V1_PinHoldResponse, RPCError>) -> SagaCallOutcome {
        switch result {
        case .success(let response):
            guard let hold = response.hold, let until = hold.pinnedUntil ?? hold.expiresAt else {
                return SagaCallOutcome(event: .callFailed(.pin))
            }
            return SagaCallOutcome(event: .pinAnswered(.pinned(until: SagaInstant(until.date))))
        case .failure(let error) where error.code == .failedPrecondition || error.code == .notFound:
            return SagaCallOutcome(event: .pinAnswered(.holdGone))
        case .failure:
            return SagaCallOutcome(event: .callFailed(.pin))
        }
    }

    /// ConfirmHold.
    public static func confirm(_ result: Result<Boxoffice_Inventory_V1_ConfirmHoldResponse, RPCError>) -> SagaCallOutcome {
        switch result {
        case .success:
            return SagaCallOutcome(event: .confirmAnswered(.confirmed))
        case .failure(let error) where error.code == .failedPrecondition || error.code == .notFound:
            return SagaCallOutcome(event: .confirmAnswered(.holdGone))
        case .failure:
            return SagaCallOutcome(event: .callFailed(.confirm))
        }
    }

    /// ReleaseHold: released, already released, expired or unknown all mean the seats are not this booking's.
    public static func release(_ result: Result<Boxoffice_Inventory_V1_ReleaseHoldResponse, RPCError>) -> SagaCallOutcome {
        switch result {
        case .success:
            return SagaCallOutcome(event: .releaseAnswered)
        case .failure(let error) where error.code == .failedPrecondition || error.code == .notFound:
            return SagaCallOutcome(event: .releaseAnswered)
        case .failure:
            return SagaCallOutcome(event: .callFailed(.release))
        }
    }

    /// Charge. DEADLINE_EXCEEDED is ambiguous (payment's refusal or our own deadline), so it is a failure
    /// here; ``SagaDriver`` settles a charge whose window has closed with a GetPayment.
    public static func charge(_ result: Result<Boxoffice_Payment_V1_ChargeResponse, RPCError>) -> SagaCallOutcome {
        switch result {
        case .success(let response):
            guard let payment = response.payment, let status = PaymentStatus(payment.status) else {
                return SagaCallOutcome(event: .callFailed(.charge))
            }
            return SagaCallOutcome(event: .chargeAnswered(status), paymentId: payment.id)
        case .failure(let error) where error.code == .invalidArgument:
            // Payment refused the request itself: nothing was charged.
            return SagaCallOutcome(event: .chargeAnswered(.declined))
        case .failure:
            return SagaCallOutcome(event: .callFailed(.charge))
        }
    }

    /// GetPayment (the poll while a payment is pending).
    public static func poll(_ result: Result<Boxoffice_Payment_V1_GetPaymentResponse, RPCError>) -> SagaCallOutcome {
        switch result {
        case .success(let response):
            guard let payment = response.payment, let status = PaymentStatus(payment.status) else {
                return SagaCallOutcome(event: .callFailed(.getPayment))
            }
            return SagaCallOutcome(event: .paymentPolled(status), paymentId: payment.id)
        case .failure:
            return SagaCallOutcome(event: .callFailed(.getPayment))
        }
    }

    /// Refund.
    public static func refund(_ result: Result<Boxoffice_Payment_V1_RefundResponse, RPCError>) -> SagaCallOutcome {
        switch result {
        case .success(let response):
            guard let payment = response.payment, payment.status == .refunded else {
                return SagaCallOutcome(event: .callFailed(.refund))
            }
            return SagaCallOutcome(event: .refundAnswered, paymentId: payment.id)
        case .failure:
            return SagaCallOutcome(event: .callFailed(.refund))
        }
    }
}

extension PaymentStatus {
    /// The saga's view of payment's wire status; nil for UNSPECIFIED or an unknown value.
    public init?(_ status: Boxoffice_Payment_V1_PaymentStatus) {
        switch status {
        case .pending: self = .pending
        case .captured: self = .captured
        case .declined: self = .declined
        case .notCharged: self = .notCharged
        case .refunded: self = .refunded
        case .unspecified, .unrecognized: return nil
        }
    }

    /// The saga's view of a booking PaymentOutcome notification; nil for UNSPECIFIED or unknown.
    public init?(_ outcome: Boxoffice_Booking_V1_PaymentOutcome) {
        switch outcome {
        case .captured: self = .captured
        case .declined: self = .declined
        case .notCharged: self = .notCharged
        case .refunded: self = .refunded
        case .unspecified, .unrecognized: return nil
        }
    }
}
