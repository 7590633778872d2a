import BoxOfficeAPI
import BoxOfficeBooking
import BoxOfficeRPC
import Testing

/// RPC results → saga events: only definite answers become answers; unknown outcomes are failures.
@Suite("Saga answers from RPC results")
struct SagaAnswersTests {
    @Test("HoldSeats: refusals by code, everything else retried", arguments: [
        (RPCError.Code.resourceExhausted, true), (.notFound, true), (.invalidArgument, true), (.failedPrecondition, true),
        (.unavailable, false), (.deadlineExceeded, false), (.internal, false), (.aborted, false), (.unknown, false),
    ])
    func holdCodes(code: RPCError.Code, definite: Bool) {
        let event = SagaAnswers.hold(.failure(RPCError(code: code, message: "m"))).event
        if definite {
            #expect(event == .holdAnswered(.refused(reason: "\(code): m")))
        } else {
            #expect(event == .callFailed(.hold))
        }
    }

    @Test("Charge: a payment's status is the answer; UNAVAILABLE, ABORTED and DEADLINE_EXCEEDED are unknown")
    func chargeCodes() {
        var payment = Boxoffice_Payment_V1_Payment()
        payment.id = "p"
        payment.status = .pending
        var response = Boxoffice_Payment_V1_ChargeResponse()
        response.payment = payment
        #expect(SagaAnswers.charge(.success(response)) == SagaCallOutcome(event: .chargeAnswered(.pending), paymentId: "p"))
        for code in [RPCError.Code.unavailable, .aborted, .deadlineExceeded, .internal] {
            #expect(SagaAnswers.charge(.failure(RPCError(code: code, message: ""))).event == .callFailed(.charge))
        }
        #expect(SagaAnswers.charge(.failure(RPCError(code: .invalidArgument, message: ""))).event == .chargeAnswered(.declined))
        #expect(SagaAnswers.charge(.success(Boxoffice_Payment_V1_ChargeResponse())).event == .callFailed(.charge))
    }

    @Test("Release: released, already gone or unknown hold all count as released")
    func releaseCodes() {
        #expect(SagaAnswers.release(.success(Boxoffice_Inventory_V1_ReleaseHoldResponse())).event == .releaseAnswered)
        #expect(SagaAnswers.release(.failure(RPCError(code: .notFound, message: ""))).event == .releaseAnswered)
        #expect(SagaAnswers.release(.failure(RPCError(code: .unavailable, message: ""))).event == .callFailed(.release))
    }

    @Test("Pin and confirm: a gone hold is definite; transport trouble is not")
    func pinAndConfirm() {
        #expect(SagaAnswers.pin(.failure(RPCError(code: .failedPrecondition, message: ""))).event == .pinAnswered(.holdGone))
        #expect(SagaAnswers.pin(.failure(RPCError(code: .unavailable, message: ""))).event == .callFailed(.pin))
        #expect(SagaAnswers.confirm(.failure(RPCError(code: .failedPrecondition, message: ""))).event == .confirmAnswered(.holdGone))
        #expect(SagaAnswers.confirm(.failure(RPCError(code: .cancelled, message: ""))).event == .callFailed(.confirm))
        #expect(SagaAnswers.confirm(.success(Boxoffice_Inventory_V1_ConfirmHoldResponse())).event == .confirmAnswered(.confirmed))
    }
}
