import BoxOfficeAPI
import BoxOfficeRPC
import Foundation

/// Sends one ``SagaCall`` to inventory or payment and turns the answer into a ``SagaCallOutcome``.
///
/// Every call carries the saga's idempotency key (in the request where the API has a field, and as
/// `idempotency-key` metadata) and a `grpc-timeout` of the call's deadline minus now.
struct SagaCaller: Sendable {
    let peers: BookingPeers
    let crashPoints: CrashPoints
    /// Records every hold call's latency and whether inventory failed it, for waiting rooms whose
    /// admission rate follows downstream health.
    var holdHealth: DownstreamHealthTracker?

    func perform(_ call: SagaCall, now: SagaInstant) async -> SagaCallOutcome {
        let timeout = max(now.duration(to: call.deadline), .milliseconds(100))
        let options = CallOptions(timeout: timeout, metadata: ["idempotency-key": .string(call.idempotencyKey)])
        switch call.request {
        case .hold(let eventId, let holderId, let selection):
            var request = Boxoffice_Inventory_V1_HoldSeatsRequest()
            request.eventID = eventId
            request.holderID = holderId
            request.selection = Self.inventorySelection(selection)
            request.idempotencyKey = call.idempotencyKey
            let started = ContinuousClock.now
            let answer = await Self.result { try await peers.inventory.holdSeats(request, options: options) }
            holdHealth?.record(latency: .now - started, failed: Self.isDownstreamFailure(answer))
            let outcome = SagaAnswers.hold(answer)
            crashPoints.reach(.beforeHoldStored)
            return outcome

        case .pin(let holdId, let holderId, let pinFor):
            var request = Boxoffice_Inventory_V1_PinHoldRequest()
            request.holdID = holdId
            request.holderID = holderId
            request.pinFor = Google_Protobuf_Duration(pinFor)
            request.reason = "payment in progress"
            return SagaAnswers.pin(await Self.result { try await peers.inventory.pinHold(request, options: options) })

        case .charge(let bookingId, let amount, let paymentToken, let deadline):
            var request = Boxoffice_Payment_V1_ChargeRequest()
            request.bookingID = bookingId
            var money = Boxoffice_Common_V1_Money()
            money.amountMinor = amount.amountMinor
            money.currency = amount.currency
            request.amount = money
            request.paymentToken = paymentToken
            request.deadline = Google_Protobuf_Timestamp(date: deadline.date)
            request.metadata = ["booking_id": bookingId, "idempotency_key": call.idempotencyKey]
            let answer = await Self.result { try await peers.payment.charge(request, options: options) }
            crashPoints.reach(.afterChargeSent)
            let outcome = SagaAnswers.charge(answer)
            guard case .callFailed = outcome.event, SagaInstant(Date()) > deadline else { return outcome }
            return await settleClosedCharge(bookingId: bookingId, options: options) ?? outcome

        case .getPayment(let bookingId):
            var request = Boxoffice_Payment_V1_GetPaymentRequest()
            request.lookup = .bookingID(bookingId)
            return SagaAnswers.poll(await Self.result { try await peers.payment.getPayment(request, options: options) })

        case .confirm(let holdId, let holderId, let orderReference):
            var request = Boxoffice_Inventory_V1_ConfirmHoldRequest()
            request.holdID = holdId
            request.holderID = holderId
            request.orderReference = orderReference
            request.idempotencyKey = call.idempotencyKey
            return SagaAnswers.confirm(await Self.result { try await peers.inventory.confirmHold(request, options: options) })

        case .release(let holdId, let holderId, let reason):
            var request = Boxoffice_Inventory_V1_ReleaseHoldRequest()
            request.holdID = holdId
            request.holderID = holderId
            request.reason = reason.rawValue
            request.idempotencyKey = call.idempotencyKey
            let outcome = SagaAnswers.release(await Self.result { try await peers.inventory.releaseHold(request, options: options) })
            crashPoints.reach(.duringRelease)
            return outcome

        case .refund(let bookingId, let reason):
            var request = Boxoffice_Payment_V1_RefundRequest()
            request.bookingID = bookingId
            request.reason = reason
            request.idempotencyKey = call.idempotencyKey
            return SagaAnswers.refund(await Self.result { try await peers.payment.refund(request, options: options) })
        }
    }

    /// A Charge failed after its payment deadline passed. Payment starts no provider call that cannot
    /// finish by the deadline, so from now on no attempt can charge: if payment has no payment for
    /// the booking, it was never charged; if it has one, its status is the answer.
    private func settleClosedCharge(bookingId: String, options: CallOptions) async -> SagaCallOutcome? {
        var request = Boxoffice_Payment_V1_GetPaymentRequest()
        request.lookup = .bookingID(bookingId)
        switch await Self.result({ try await peers.payment.getPayment(request, options: options) }) {
        case .success(let response):
            guard let payment = response.payment, let status = PaymentStatus(payment.status) else { return nil }
            return SagaCallOutcome(event: .chargeAnswered(status), paymentId: payment.id)
        case .failure(let error) where error.code == .notFound:
            return SagaCallOutcome(event: .chargeAnswered(.notCharged))
        case .failure:
            return nil
        }
    }

    static func inventorySelection(_ selection: SeatSelection) -> Boxoffice_Inventory_V1_HoldSeatsRequest.Selection {
        switch selection {
        case .specificSeats(let ids):
            var seats = Boxoffice_Inventory_V1_SpecificSeats()
            seats.seatIds = ids
            return .specificSeats(seats)
        case .bestAvailable(let quantity, let sectionCode, let priceTier):
            var best = Boxoffice_Inventory_V1_BestAvailable()
            best.quantity = quantity
            best.sectionCode = sectionCode
            best.priceTier = priceTier
            return .bestAvailable(best)
        case .generalAdmission(let poolCode, let quantity):
            var ga = Boxoffice_Inventory_V1_GeneralAdmission()
            ga.poolCode = poolCode
            ga.quantity = quantity
            return .generalAdmission(ga)
        }
    }

    /// Runs an RPC and captures its status; any non-RPC error counts as UNKNOWN (outcome unknown).
    /// Whether an answer says the downstream service is struggling, as opposed to a refusal a
    /// healthy inventory gives (sold out, seat taken, cap reached: RESOURCE_EXHAUSTED; bad request).
    static func isDownstreamFailure<T>(_ answer: Result<T, RPCError>) -> Bool {
        guard case .failure(let error) = answer else { return false }
        return [.unavailable, .deadlineExceeded, .internal, .unknown].contains(error.code)
    }

    static func result<T>(_ body: () async throws -> T) async -> Result<T, RPCError> {
        do {
            return .success(try await body())
        } catch let error as RPCError {
            return .failure(error)
        } catch {
            return .failure(RPCError(code: .unknown, message: "\(error)", cause: error))
        }
    }
}
