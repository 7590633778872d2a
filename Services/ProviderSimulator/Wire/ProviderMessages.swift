public import BoxOfficeAPI
public import BoxOfficeRPC
import Foundation

// The ledger's values to and from the generated `boxoffice.provider.v1` messages.

extension Boxoffice_Provider_V1_Charge {
    /// The wire form of a ledger charge; a charge still processing is `CHARGE_STATUS_UNSPECIFIED`.
    public init(_ charge: Charge) {
        self.init()
        id = charge.id
        idempotencyKey = charge.idempotencyKey
        amount = charge.amount
        currency = charge.currency
        status = switch charge.status {
        case .processing: .unspecified
        case .succeeded: .succeeded
        case .failed: .failed
        }
        paymentToken = charge.paymentToken
        failureCode = charge.failureCode?.rawValue ?? ""
        failureMessage = charge.failureMessage
        metadata = charge.metadata
        createdAt = Google_Protobuf_Timestamp(date: charge.createdAt)
        amountRefunded = charge.amountRefunded
    }
}

extension Boxoffice_Provider_V1_Refund {
    /// The wire form of a ledger refund.
    public init(_ refund: Refund) {
        self.init()
        id = refund.id
        chargeID = refund.chargeID
        amount = refund.amount
        currency = refund.currency
        status = refund.status == .succeeded ? .succeeded : .failed
        reason = refund.reason
        createdAt = Google_Protobuf_Timestamp(date: refund.createdAt)
    }
}

extension Boxoffice_Provider_V1_WebhookEvent {
    /// The wire form of a ledger event: what a delivery's payload serializes.
    public init(_ event: WebhookEvent) {
        self.init()
        id = event.id
        type = switch event.kind {
        case .chargeSucceeded: .chargeSucceeded
        case .chargeFailed: .chargeFailed
        case .chargeRefunded: .chargeRefunded
        }
        createdAt = Google_Protobuf_Timestamp(date: event.createdAt)
        sequence = event.sequence
        switch event.payload {
        case .charge(let charge): self.charge = Boxoffice_Provider_V1_Charge(charge)
        case .refund(let refund): self.refund = Boxoffice_Provider_V1_Refund(refund)
        }
    }
}

extension CreateChargeRequest {
    /// The ledger's view of a wire request.
    init(_ request: Boxoffice_Provider_V1_CreateChargeRequest) {
        self.init(idempotencyKey: request.idempotencyKey, amount: request.amount, currency: request.currency,
                  paymentToken: request.paymentToken, metadata: request.metadata, description: request.description)
    }
}

extension CreateRefundRequest {
    /// The ledger's view of a wire request.
    init(_ request: Boxoffice_Provider_V1_CreateRefundRequest) {
        self.init(chargeID: request.chargeID, amount: request.amount, idempotencyKey: request.idempotencyKey,
                  reason: request.reason)
    }
}

extension ChargeLookup {
    /// The lookup a GetCharge asks for; INVALID_ARGUMENT when it names neither an id nor a key.
    init(_ request: Boxoffice_Provider_V1_GetChargeRequest) throws(RPCError) {
        switch request.lookup {
        case .chargeID(let id)? where !id.isEmpty: self = .chargeID(id)
        case .idempotencyKey(let key)? where !key.isEmpty: self = .idempotencyKey(key)
        default:
            throw RPCError(code: .invalidArgument, message: "GetCharge needs a non-empty charge_id or idempotency_key")
        }
    }
}

extension RPCError {
    /// The gRPC status a simulator error is answered with.
    public init(_ error: ProviderError) {
        let code: RPCError.Code = switch error.code {
        case .invalidArgument: .invalidArgument
        case .notFound: .notFound
        case .conflict: .aborted
        case .failedPrecondition: .failedPrecondition
        case .unavailable: .unavailable
        }
        self.init(code: code, message: error.message)
    }
}
