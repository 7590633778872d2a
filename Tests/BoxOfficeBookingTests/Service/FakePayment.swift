import BoxOfficeAPI
import BoxOfficeRPC
import Foundation
import Synchronization

/// A payment gRPC server for the driver tests: charges end as the test scripts (captured,
/// declined, pending), may fail or answer late, and GetPayment reports what the script says.
final class FakePayment: Boxoffice_Payment_V1_PaymentService.SimpleServiceProtocol, Sendable {
    struct State {
        /// The status a new charge gets.
        var chargeStatus: Boxoffice_Payment_V1_PaymentStatus = .captured
        /// Charges fail with UNAVAILABLE this many times first (after recording the payment when `chargeLands`).
        var chargeFailures = 0
        var chargeLands = false
        var chargeDelay: Duration = .zero
        var payments: [String: Boxoffice_Payment_V1_Payment] = [:]
        var chargeCalls = 0
        var refundCalls = 0
        var pollCalls = 0
    }

    let state = Mutex(State())

    func configure(_ change: (inout State) -> Void) { state.withLock { change(&$0) } }

    /// Moves a booking's payment to `status` (what the provider decided later).
    func settle(_ bookingId: String, _ status: Boxoffice_Payment_V1_PaymentStatus) {
        state.withLock { $0.payments[bookingId]?.status = status }
    }

    func payment(_ bookingId: String) -> Boxoffice_Payment_V1_Payment? { state.withLock { $0.payments[bookingId] } }

    func charge(request: Boxoffice_Payment_V1_ChargeRequest,
                context: ServerContext) async throws -> Boxoffice_Payment_V1_ChargeResponse {
        let delay = state.withLock { $0.chargeDelay }
        if delay > .zero { try await Task.sleep(for: delay) }
        let payment = try state.withLock { state throws(RPCError) -> Boxoffice_Payment_V1_Payment in
            state.chargeCalls += 1
            let payment = state.payments[request.bookingID] ?? {
                var payment = Boxoffice_Payment_V1_Payment()
                payment.id = "pay-\(request.bookingID)"
                payment.bookingID = request.bookingID
                payment.amount = request.amount
                payment.status = state.chargeStatus
                return payment
            }()
            if state.chargeFailures > 0 {
                state.chargeFailures -= 1
                if state.chargeLands { state.payments[request.bookingID] = payment }
                throw RPCError(code: .unavailable, message: "scripted charge failure")
            }
            state.payments[request.bookingID] = payment
            return payment
        }
        var response = Boxoffice_Payment_V1_ChargeResponse()
        response.payment = payment
        return response
    }

    func getPayment(request: Boxoffice_Payment_V1_GetPaymentRequest,
                    context: ServerContext) async throws -> Boxoffice_Payment_V1_GetPaymentResponse {
        guard case .bookingID(let bookingId)? = request.lookup else {
            throw RPCError(code: .invalidArgument, message: "fake looks up by booking")
        }
        let payment = state.withLock { state in
            state.pollCalls += 1
            return state.payments[bookingId]
        }
        guard let payment else { throw RPCError(code: .notFound, message: "no payment for \(bookingId)") }
        var response = Boxoffice_Payment_V1_GetPaymentResponse()
        response.payment = payment
        return response
    }

    func refund(request: Boxoffice_Payment_V1_RefundRequest,
                context: ServerContext) async throws -> Boxoffice_Payment_V1_RefundResponse {
        let payment = try state.withLock { state throws(RPCError) -> Boxoffice_Payment_V1_Payment in
            state.refundCalls += 1
            guard var payment = state.payments[request.bookingID], payment.status == .captured || payment.status == .refunded else {
                throw RPCError(code: .failedPrecondition, message: "nothing captured")
            }
            payment.status = .refunded
            state.payments[request.bookingID] = payment
            return payment
        }
        var response = Boxoffice_Payment_V1_RefundResponse()
        response.payment = payment
        return response
    }
}
