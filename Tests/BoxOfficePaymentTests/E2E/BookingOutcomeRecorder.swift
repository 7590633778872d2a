import BoxOfficeAPI
import BoxOfficeRPC
import Synchronization

/// A fake booking service: answers `NotifyPaymentOutcome`, records every delivery, and can refuse
/// the first deliveries (UNAVAILABLE) to exercise the outbox's redelivery.
final class BookingOutcomeRecorder: Sendable {
    private struct State {
        var deliveries: [Boxoffice_Booking_V1_NotifyPaymentOutcomeRequest] = []
        var refusalsLeft: Int
        var refused = 0
    }

    private let state: Mutex<State>

    /// A recorder that refuses the first `refusing` deliveries.
    init(refusing: Int = 0) {
        state = Mutex(State(refusalsLeft: refusing))
    }

    /// Registers `boxoffice.booking.v1.BookingService/NotifyPaymentOutcome` on `router`.
    func register(on router: inout RPCRouter) {
        router.registerUnary(Boxoffice_Booking_V1_BookingService.Method.NotifyPaymentOutcome.descriptor) {
            (request: ServerRequest<Boxoffice_Booking_V1_NotifyPaymentOutcomeRequest>, _: ServerContext)
                -> ServerResponse<Boxoffice_Booking_V1_NotifyPaymentOutcomeResponse> in
            let refuse = self.state.withLock { state in
                if state.refusalsLeft > 0 {
                    state.refusalsLeft -= 1
                    state.refused += 1
                    return true
                }
                state.deliveries.append(request.message)
                return false
            }
            if refuse { throw RPCError(code: .unavailable, message: "booking is restarting (test refusal)") }
            return ServerResponse(message: Boxoffice_Booking_V1_NotifyPaymentOutcomeResponse())
        }
    }

    /// Every accepted delivery, in arrival order (redeliveries included).
    var deliveries: [Boxoffice_Booking_V1_NotifyPaymentOutcomeRequest] { state.withLock { $0.deliveries } }

    /// Deliveries refused so far.
    var refused: Int { state.withLock { $0.refused } }

    /// The effective outcomes booking saw for `bookingID`: one per notification id, in order.
    func effectiveOutcomes(of bookingID: String) -> [Boxoffice_Booking_V1_PaymentOutcome] {
        var seen: Set<String> = []
        return deliveries.filter { $0.bookingID == bookingID && seen.insert($0.notificationID).inserted }.map(\.outcome)
    }
}
