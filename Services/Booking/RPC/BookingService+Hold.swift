public import BoxOfficeAPI
public import BoxOfficeRPC
import Foundation

extension BookingService {
    /// HoldSeats: admission token → rate limit → idempotency key → a new booking whose saga asks
    /// inventory for the hold; answers once inventory decided.
    public func holdSeats(request: Boxoffice_Booking_V1_HoldSeatsRequest,
                          context: ServerContext) async throws -> Boxoffice_Booking_V1_HoldSeatsResponse {
        try BookingRequests.requireId(request.userID, "user_id")
        guard request.eventID > 0 else { throw BookingRequests.invalid("event_id must be positive") }
        let selection = try BookingRequests.selection(of: request)
        try BookingRequests.requireId(request.idempotencyKey, "idempotency_key")
        try BookingRequests.optionalKey(request.idempotencyKey)
        do {
            _ = try admission.verify(request.admissionToken, userID: request.userID, eventID: request.eventID, now: Date())
        } catch {
            throw error.rpcError
        }
        try await enforceRateLimit(userId: request.userID)

        let now = driver.clock()
        let (saga, actions) = BookingSaga.start(
            bookingId: BookingIdentifier.make(at: now), userId: request.userID, eventId: request.eventID,
            selection: selection, now: now, policy: driver.policy)
        let claim = IdempotencyRecord(
            userId: request.userID, operation: .hold, key: request.idempotencyKey,
            fingerprint: BookingRequests.fingerprint(eventId: request.eventID, selection: selection),
            bookingId: saga.bookingId)
        let bookingId: String
        switch try await store.create(BookingRecord(saga: saga), claim: claim) {
        case .created:
            driver.started(BookingRecord(saga: saga), actions: actions)
            bookingId = saga.bookingId
        case .keyAlreadyUsed(let existing):
            guard existing.fingerprint == claim.fingerprint else {
                throw BookingRequests.invalid(
                    "idempotency_key \(request.idempotencyKey) was used for another HoldSeats request (\(existing.fingerprint))")
            }
            if let stored = existing.response {
                return try Boxoffice_Booking_V1_HoldSeatsResponse(serializedBytes: stored)
            }
            bookingId = existing.bookingId
        }

        guard let record = try await driver.waitFor(bookingId, timeout: timing.holdWait, until: {
            $0.saga.step != .holdRequested
        }) else {
            throw RPCError(code: .internal, message: "booking \(bookingId) vanished")
        }
        switch record.saga.step {
        case .holdRequested:
            throw RPCError(code: .unavailable, message:
                "inventory has not answered the hold yet; retry with the same idempotency_key")
        case .holdRefused:
            throw Self.refusal(record.saga.failureReason ?? "the hold was refused")
        default:
            var response = Boxoffice_Booking_V1_HoldSeatsResponse()
            response.booking = Boxoffice_Booking_V1_Booking(record)
            try await store.storeResponse(response.serializedBytes(), userId: request.userID, operation: .hold,
                                          key: request.idempotencyKey)
            return response
        }
    }

    /// Spends one token of the user's HoldSeats bucket; RESOURCE_EXHAUSTED with `retry-after-ms` when empty.
    func enforceRateLimit(userId: String) async throws(RPCError) {
        guard let rateLimiter else { return }
        do {
            try await rateLimiter.enforce(userID: userId, scope: "hold", now: Date())
        } catch where error.code == .unavailable {
            logger.warning("rate limiter unavailable; letting the request through", metadata: ["error": "\(error)"])
        }
    }

    /// Inventory's refusal, recorded as `<code>: <message>`, as the status to answer with.
    static func refusal(_ reason: String) -> RPCError {
        let known: [RPCError.Code] = [.resourceExhausted, .notFound, .invalidArgument, .failedPrecondition,
                                      .alreadyExists, .outOfRange]
        for code in known where reason.hasPrefix("\(code): ") {
            return RPCError(code: code, message: "inventory refused the hold: " + reason.dropFirst("\(code): ".count))
        }
        return RPCError(code: .failedPrecondition, message: "inventory refused the hold: \(reason)")
    }
}
