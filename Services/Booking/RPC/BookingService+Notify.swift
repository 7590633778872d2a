public import BoxOfficeAPI
public import BoxOfficeRPC

extension BookingService {
    /// NotifyPaymentOutcome: payment's outbox reports an outcome. Idempotent: a redelivered
    /// notification, and news the saga already knows, change nothing and are acknowledged.
    public func notifyPaymentOutcome(request: Boxoffice_Booking_V1_NotifyPaymentOutcomeRequest,
                                     context: ServerContext) async throws -> Boxoffice_Booking_V1_NotifyPaymentOutcomeResponse {
        try BookingRequests.requireId(request.notificationID, "notification_id")
        try BookingRequests.requireId(request.bookingID, "booking_id")
        guard let status = PaymentStatus(request.outcome) else {
            throw BookingRequests.invalid("outcome must be CAPTURED, DECLINED, NOT_CHARGED or REFUNDED")
        }
        guard var record = try await store.load(request.bookingID) else {
            throw RPCError(code: .notFound, message: "no booking \(request.bookingID)")
        }
        guard try await !store.hasNotification(id: request.notificationID) else {
            var response = Boxoffice_Booking_V1_NotifyPaymentOutcomeResponse()
            response.booking = Boxoffice_Booking_V1_Booking(record)
            return response
        }
        do {
            let paymentId = request.paymentID
            record = try await driver.feed(record.id, .paymentNotified(status)) { record in
                if !paymentId.isEmpty { record.paymentId = paymentId }
            } ?? record
        } catch let rejection as SagaRejection {
            // Contradicting news cannot become true by redelivery: acknowledge it, loudly.
            logger.error("payment notification contradicts the saga", metadata: [
                "booking.id": "\(record.id)", "notification.id": "\(request.notificationID)", "error": "\(rejection)",
            ])
        }
        // Recorded after the saga took it: a crash in between means one harmless repeat, never a loss.
        _ = try await store.recordNotification(id: request.notificationID, bookingId: record.id, outcome: status.rawValue)
        var response = Boxoffice_Booking_V1_NotifyPaymentOutcomeResponse()
        response.booking = Boxoffice_Booking_V1_Booking(record)
        return response
    }
}
