public import BoxOfficeAPI
public import BoxOfficeRPC
import BoxOfficeProto
import Foundation

/// `boxoffice.payment.v1.PaymentService` over a ``PaymentProcessor``.
///
/// Statuses: bad input is INVALID_ARGUMENT (zero or negative amount, unknown currency, missing
/// fields, the same booking with another amount); a Charge whose provider call is still in flight
/// is ABORTED (retry later, as after Stripe's 409); a deadline that leaves no room for the
/// provider call is DEADLINE_EXCEEDED with nothing recorded; unknown payments are NOT_FOUND;
/// refunding a payment that is not CAPTURED is FAILED_PRECONDITION; a provider that cannot refund
/// is UNAVAILABLE. Rejected requests change nothing.
public struct PaymentRPCService: Boxoffice_Payment_V1_PaymentService.SimpleServiceProtocol {
    private let processor: PaymentProcessor

    /// Serves `processor`.
    public init(processor: PaymentProcessor) {
        self.processor = processor
    }

    /// Charge: idempotent by booking id. The provider call gets at most the caller's remaining
    /// budget; `deadline` defaults to the call's own deadline when the request leaves it out.
    public func charge(request: Boxoffice_Payment_V1_ChargeRequest, context: ServerContext) async throws -> Boxoffice_Payment_V1_ChargeResponse {
        let now = ContinuousClock.now
        let budget = context.deadline.map { now.duration(to: $0) }
        let deadline = request.deadline?.date ?? budget.map { Date().addingTimeInterval(Self.seconds($0)) }
        do {
            let command = try ChargeCommand.validated(
                bookingID: request.bookingID, amountMinor: request.amount?.amountMinor ?? 0,
                currencyCode: request.amount?.currency ?? "", paymentToken: request.paymentToken, deadline: deadline,
                metadata: request.metadata)
            var response = Boxoffice_Payment_V1_ChargeResponse()
            response.payment = PaymentWire.payment(try await processor.charge(command, callBudget: budget))
            return response
        } catch {
            throw RPCError.payment(error, doing: "charging booking \(request.bookingID)")
        }
    }

    /// GetPayment by payment id or booking id.
    public func getPayment(request: Boxoffice_Payment_V1_GetPaymentRequest, context: ServerContext) async throws -> Boxoffice_Payment_V1_GetPaymentResponse {
        let lookup: PaymentLookup
        switch request.lookup {
        case .paymentID(let id)? where !id.isEmpty: lookup = .paymentID(id)
        case .bookingID(let id)? where !id.isEmpty: lookup = .bookingID(id)
        default:
            throw RPCError(code: .invalidArgument, message: "give payment_id or booking_id (non-empty) to look a payment up")
        }
        do {
            var response = Boxoffice_Payment_V1_GetPaymentResponse()
            response.payment = PaymentWire.payment(try await processor.payment(lookup))
            return response
        } catch {
            throw RPCError.payment(error, doing: "reading a payment")
        }
    }

    /// Refund: everything still refundable of a CAPTURED payment, idempotent by key (an empty key
    /// means "the full refund", idempotent by itself).
    public func refund(request: Boxoffice_Payment_V1_RefundRequest, context: ServerContext) async throws -> Boxoffice_Payment_V1_RefundResponse {
        do {
            let command = RefundCommand(bookingID: request.bookingID, reason: request.reason, idempotencyKey: request.idempotencyKey)
            var response = Boxoffice_Payment_V1_RefundResponse()
            response.payment = PaymentWire.payment(try await processor.refund(command))
            return response
        } catch {
            throw RPCError.payment(error, doing: "refunding booking \(request.bookingID)")
        }
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}

/// `boxoffice.provider.v1.WebhookReceiver`: the provider's signed event deliveries.
///
/// Statuses: a signature that is missing, malformed, wrong, or outside the replay window
/// (5 minutes by default) is UNAUTHENTICATED — a replayed old delivery fails here; a payload that
/// is not a well-formed event is INVALID_ARGUMENT; an event about a charge with no payment here is
/// NOT_FOUND. An event id seen before is acknowledged (`accepted`, detail `duplicate`) and changes
/// nothing; a late or out-of-order event is acknowledged and applied only if it moves the
/// payment forward.
public struct WebhookReceiverRPCService: Boxoffice_Provider_V1_WebhookReceiver.SimpleServiceProtocol {
    private let processor: PaymentProcessor

    /// Serves `processor`.
    public init(processor: PaymentProcessor) {
        self.processor = processor
    }

    /// Deliver: verify, deduplicate, apply.
    public func deliver(request: Boxoffice_Provider_V1_WebhookDelivery, context: ServerContext) async throws -> Boxoffice_Provider_V1_WebhookAck {
        do {
            let receipt = try await processor.receiveWebhook(payload: request.payload, signature: request.signature)
            var ack = Boxoffice_Provider_V1_WebhookAck()
            ack.accepted = true
            ack.detail = switch receipt {
            case .duplicate: "duplicate"
            case .applied(.advanced(let from, let to)): "applied: \(from.rawValue) -> \(to.rawValue)"
            case .applied(.updated): "applied"
            case .applied(.ignored): "applied: nothing to change"
            case .applied(.contradicted(let status)): "applied: contradicts \(status.rawValue)"
            }
            return ack
        } catch {
            throw RPCError.payment(error, doing: "receiving a webhook")
        }
    }
}

extension PaymentProcessor {
    /// Registers `boxoffice.payment.v1.PaymentService` and `boxoffice.provider.v1.WebhookReceiver`
    /// (both served by this processor) on `router`.
    public func register(on router: inout RPCRouter) {
        PaymentRPCService(processor: self).registerMethods(with: &router)
        WebhookReceiverRPCService(processor: self).registerMethods(with: &router)
    }
}
