public import BoxOfficeAPI
public import BoxOfficeRPC

extension BookingService {
    /// Checkout: pins the hold, charges, and answers CONFIRMED, PAYMENT_FAILED (seats released) or,
    /// when payment has not decided within the wait, PAYMENT_PENDING.
    public func checkout(request: Boxoffice_Booking_V1_CheckoutRequest,
                         context: ServerContext) async throws -> Boxoffice_Booking_V1_CheckoutResponse {
        try BookingRequests.requireId(request.bookingID, "booking_id")
        try BookingRequests.requireId(request.userID, "user_id")
        guard !request.paymentToken.isEmpty else { throw BookingRequests.invalid("payment_token is required") }
        try BookingRequests.optionalKey(request.idempotencyKey)
        let booking = try await visibleBooking(request.bookingID, userId: request.userID)
        if let stored = try await claimKey(.checkout, request.idempotencyKey, userId: request.userID,
                                           fingerprint: "booking=\(request.bookingID);token=\(request.paymentToken)",
                                           bookingId: booking.id) {
            return try Boxoffice_Booking_V1_CheckoutResponse(serializedBytes: stored)
        }
        let fed: BookingRecord?
        do {
            fed = try await driver.feed(booking.id, .checkoutRequested(paymentToken: request.paymentToken))
        } catch let rejection as SagaRejection {
            throw rejection.rpcError(bookingId: booking.id)
        }
        if let fed, fed.saga.step == .releasing(.expired) || fed.saga.step == .expired,
           booking.saga.step == .held || booking.saga.step == .releasing(.expired) || booking.saga.step == .expired {
            throw RPCError(code: .failedPrecondition, message: "booking \(booking.id) has expired; hold the seats again")
        }
        let record = try await driver.waitFor(booking.id, timeout: waitBudget(timing.checkoutWait, context)) {
            !Self.isDecidingPayment($0.saga.step)
        } ?? booking
        var response = Boxoffice_Booking_V1_CheckoutResponse()
        response.booking = Boxoffice_Booking_V1_Booking(record)
        try await storeAnswer(response.serializedBytes(), .checkout, request.idempotencyKey, userId: request.userID)
        return response
    }

    /// CancelBooking: releases the hold of a booking whose payment has not started.
    public func cancelBooking(request: Boxoffice_Booking_V1_CancelBookingRequest,
                              context: ServerContext) async throws -> Boxoffice_Booking_V1_CancelBookingResponse {
        try BookingRequests.requireId(request.bookingID, "booking_id")
        try BookingRequests.requireId(request.userID, "user_id")
        try BookingRequests.optionalKey(request.idempotencyKey)
        let booking = try await visibleBooking(request.bookingID, userId: request.userID)
        if let stored = try await claimKey(.cancel, request.idempotencyKey, userId: request.userID,
                                           fingerprint: "booking=\(request.bookingID)", bookingId: booking.id) {
            return try Boxoffice_Booking_V1_CancelBookingResponse(serializedBytes: stored)
        }
        do {
            try await driver.feed(booking.id, .cancelRequested)
        } catch let rejection as SagaRejection {
            throw rejection.rpcError(bookingId: booking.id)
        }
        let record = try await driver.waitFor(booking.id, timeout: waitBudget(timing.cancelWait, context)) {
            !$0.saga.step.isReleasing
        } ?? booking
        var response = Boxoffice_Booking_V1_CancelBookingResponse()
        response.booking = Boxoffice_Booking_V1_Booking(record)
        try await storeAnswer(response.serializedBytes(), .cancel, request.idempotencyKey, userId: request.userID)
        return response
    }

    /// Steps in which Checkout keeps waiting: the pin, the charge, and the compensation or
    /// confirmation that follows a decided charge (so the answer is final where it can be).
    static func isDecidingPayment(_ step: SagaStep) -> Bool {
        switch step {
        case .pinning, .charging, .confirming, .releasing(.paymentFailed): true
        default: false
        }
    }

    /// Claims a client key; returns the stored answer of an earlier request under it.
    /// - Throws: INVALID_ARGUMENT when the key was used with other parameters.
    func claimKey(_ operation: IdempotencyRecord.Operation, _ key: String, userId: String, fingerprint: String,
                  bookingId: String) async throws -> [UInt8]? {
        guard !key.isEmpty else { return nil }
        let claim = IdempotencyRecord(userId: userId, operation: operation, key: key, fingerprint: fingerprint,
                                      bookingId: bookingId)
        guard let existing = try await store.claim(claim) else { return nil }
        guard existing.fingerprint == fingerprint else {
            throw BookingRequests.invalid("idempotency_key \(key) was used for another \(operation) request")
        }
        return existing.response
    }

    func storeAnswer(_ bytes: [UInt8], _ operation: IdempotencyRecord.Operation, _ key: String,
                     userId: String) async throws {
        guard !key.isEmpty else { return }
        try await store.storeResponse(bytes, userId: userId, operation: operation, key: key)
    }

    /// `wait`, cut so the answer leaves before the caller's deadline.
    func waitBudget(_ wait: Duration, _ context: ServerContext) -> Duration {
        guard let remaining = context.remainingTime else { return wait }
        return max(.zero, min(wait, remaining - .milliseconds(250)))
    }
}

extension SagaStep {
    var isReleasing: Bool {
        if case .releasing = self { return true }
        return false
    }
}
