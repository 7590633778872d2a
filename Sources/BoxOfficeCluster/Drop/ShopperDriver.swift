import BoxOfficeAPI
import BoxOfficeRPC
import Synchronization

/// Performs a ``ShopperJourney``'s actions against booking: the thin I/O half of a shopper.
struct ShopperDriver: Sendable {
    let clients: DropClients
    let recorder: DropRecorder
    let monitor: SellOutMonitor
    let eventID: Int64
    let configuration: DropConfiguration

    /// Most actions one shopper performs; the journey's own bounds end it long before.
    static let maxSteps = 5_000

    /// Runs the shopper to the end of its journey and returns how it ended.
    func run(_ plan: ShopperPlan) async -> ShopperOutcome {
        recorder.shopperStarted()
        var journey = ShopperJourney(plan: plan, limits: ShopperJourney.Limits(configuration))
        var action = journey.start(now: recorder.elapsed)
        // Only pauses are jittered with it; the shopper's choices come from its seeded plan.
        var random = SystemRandomNumberGenerator()
        for _ in 0..<Self.maxSteps {
            if case .finish(let outcome) = action {
                recorder.shopperFinished(outcome)
                return outcome
            }
            if Task.isCancelled { break }
            let event = await perform(action, plan: plan, random: &random)
            action = journey.next(after: event, now: recorder.elapsed)
        }
        recorder.shopperFinished(.error)
        return .error
    }

    private func perform(_ action: ShopperJourney.Action, plan: ShopperPlan,
                         random: inout SystemRandomNumberGenerator) async -> ShopperJourney.Event {
        let user = plan.userID
        switch action {
        case .finish:
            return .soldOut  // not reached: the caller stops at finish
        case .enterQueue:
            if monitor.isSoldOut { return .soldOut }
            return await enterQueue(user: user)
        case .pollQueue(let ticket, let after):
            await pause(after, random: &random)
            if monitor.isSoldOut { return .soldOut }
            return await pollQueue(user: user, ticket: ticket)
        case .watchQueue(let ticket, let window):
            if monitor.isSoldOut { return .soldOut }
            return await watchQueue(user: user, ticket: ticket, window: window)
        case .hold(let request, let admissionToken, let key):
            if monitor.isSoldOut { return .soldOut }
            return await hold(user: user, request: request, admissionToken: admissionToken, key: key)
        case .checkout(let booking, let paymentToken, let key):
            return await checkout(user: user, booking: booking, paymentToken: paymentToken, key: key)
        case .cancel(let booking, let key):
            return await cancel(user: user, booking: booking, key: key)
        case .pollBooking(let booking, let after):
            await pause(after, random: &random)
            return await getBooking(user: user, booking: booking)
        }
    }

    /// Sleeps `base` ± 20 % so shoppers do not poll in lockstep.
    private func pause(_ base: Duration, random: inout SystemRandomNumberGenerator) async {
        let factor = Double.random(in: 0.8...1.2, using: &random)
        try? await Task.sleep(for: base * factor)
    }

    private var callOptions: CallOptions { CallOptions(timeout: configuration.callTimeout) }

    private func queueEvent(_ status: Boxoffice_Booking_V1_QueueStatus, ticket: String) -> ShopperJourney.Event {
        let state: ShopperJourney.QueueState
        switch status.state {
        case .admitted: state = .admitted
        case .expired: state = .expired
        default: state = .waiting
        }
        if state == .admitted { recorder.shopperAdmitted() }
        return .queue(.init(ticket: status.ticketID.isEmpty ? ticket : status.ticketID, state: state,
                            admissionToken: status.admissionToken?.token, estimatedWait: status.estimatedWait?.duration))
    }

    private func enterQueue(user: String) async -> ShopperJourney.Event {
        var request = Boxoffice_Booking_V1_EnterQueueRequest()
        request.eventID = eventID
        request.userID = user
        do {
            let answer = try await recorder.observe(.enterQueue, user: user, request: { $0.event = eventID },
                                                    answer: { answer, record in
                if let status = answer.status { record.describe(status) }
            }) {
                try await clients.booking.enterQueue(request, options: callOptions)
            }
            guard let status = answer.status else { return .queueCallFailed(.unknown) }
            return queueEvent(status, ticket: answer.ticket?.id ?? status.ticketID)
        } catch {
            return .queueCallFailed(HistoryOutcome(error: error))
        }
    }

    private func pollQueue(user: String, ticket: String) async -> ShopperJourney.Event {
        var request = Boxoffice_Booking_V1_GetQueueStatusRequest()
        request.ticketID = ticket
        request.userID = user
        do {
            let status = try await recorder.observe(.getQueueStatus, user: user, request: { $0.event = eventID },
                                                    answer: { status, record in record.describe(status) }) {
                try await clients.booking.getQueueStatus(request, options: callOptions)
            }
            return queueEvent(status, ticket: ticket)
        } catch {
            return .queueCallFailed(HistoryOutcome(error: error))
        }
    }

    /// Watches for at most `window`; running out of time with an answer in hand is not an error.
    private func watchQueue(user: String, ticket: String, window: Duration) async -> ShopperJourney.Event {
        var request = Boxoffice_Booking_V1_WatchQueueRequest()
        request.ticketID = ticket
        request.userID = user
        let booking = clients.booking
        do {
            let last = try await recorder.observe(.watchQueue, user: user, request: { $0.event = eventID },
                                                  answer: { last, record in if let last { record.describe(last) } }) {
                () async throws -> Boxoffice_Booking_V1_QueueStatus? in
                let seen = LastQueueStatus()
                do {
                    try await booking.watchQueue(request, options: CallOptions(timeout: window)) { response in
                        for try await status in response.messages {
                            seen.value.withLock { $0 = status }
                            if status.state == .admitted || status.state == .expired { break }
                        }
                    }
                } catch let error as RPCError where error.code == .deadlineExceeded && seen.current != nil {
                    // The window closed while still waiting: the last status stands.
                }
                return seen.current
            }
            guard let last else { return .queueCallFailed(.unknown) }
            return queueEvent(last, ticket: ticket)
        } catch {
            return .queueCallFailed(HistoryOutcome(error: error))
        }
    }

    private func hold(user: String, request plan: HoldRequestPlan, admissionToken: String,
                      key: String) async -> ShopperJourney.Event {
        var request = Boxoffice_Booking_V1_HoldSeatsRequest()
        request.admissionToken = admissionToken
        request.userID = user
        request.eventID = eventID
        request.idempotencyKey = key
        switch plan {
        case .specificSeats(let seats):
            var specific = Boxoffice_Booking_V1_SpecificSeats()
            specific.seatIds = seats
            request.selection = .specificSeats(specific)
        case .bestAvailable(let section, let quantity):
            var best = Boxoffice_Booking_V1_BestAvailable()
            best.sectionCode = section
            best.quantity = Int32(quantity)
            request.selection = .bestAvailable(best)
        case .generalAdmission(let pool, let quantity):
            var ga = Boxoffice_Booking_V1_GeneralAdmission()
            ga.poolCode = pool
            ga.quantity = Int32(quantity)
            request.selection = .generalAdmission(ga)
        }
        do {
            let answer = try await recorder.observe(.holdSeats, user: user, request: { record in
                record.event = eventID
                record.key = key
                record.selection = plan.description
            }, answer: { answer, record in record.describe(answer.booking) }) {
                try await clients.booking.holdSeats(request, options: callOptions)
            }
            guard let booking = answer.booking, !booking.id.isEmpty else { return .holdFailed(.unknown) }
            recorder.shopperHeld()
            return .held(booking: booking.id)
        } catch {
            return .holdFailed(HistoryOutcome(error: error))
        }
    }

    private func checkout(user: String, booking: String, paymentToken: String, key: String) async -> ShopperJourney.Event {
        var request = Boxoffice_Booking_V1_CheckoutRequest()
        request.bookingID = booking
        request.userID = user
        request.paymentToken = paymentToken
        request.idempotencyKey = key
        do {
            let answer = try await recorder.observe(.checkout, user: user, request: { record in
                record.event = eventID
                record.booking = booking
                record.key = key
                record.token = paymentToken
            }, answer: { answer, record in record.describe(answer.booking) }) {
                try await clients.booking.checkout(request, options: CallOptions(timeout: configuration.checkoutTimeout))
            }
            let status = answer.booking?.status ?? .unspecified
            recorder.checkoutAnswered(status.historyName)
            return .booking(status.shopperState)
        } catch {
            return .bookingCallFailed(HistoryOutcome(error: error))
        }
    }

    private func cancel(user: String, booking: String, key: String) async -> ShopperJourney.Event {
        var request = Boxoffice_Booking_V1_CancelBookingRequest()
        request.bookingID = booking
        request.userID = user
        request.idempotencyKey = key
        do {
            let answer = try await recorder.observe(.cancelBooking, user: user, request: { record in
                record.event = eventID
                record.booking = booking
                record.key = key
            }, answer: { answer, record in record.describe(answer.booking) }) {
                try await clients.booking.cancelBooking(request, options: callOptions)
            }
            return .booking(answer.booking?.status.shopperState ?? .unknown)
        } catch {
            return .bookingCallFailed(HistoryOutcome(error: error))
        }
    }

    private func getBooking(user: String, booking: String) async -> ShopperJourney.Event {
        var request = Boxoffice_Booking_V1_GetBookingRequest()
        request.bookingID = booking
        request.userID = user
        do {
            let answer = try await recorder.observe(.getBooking, user: user, request: { record in
                record.event = eventID
                record.booking = booking
            }, answer: { answer, record in record.describe(answer.booking) }) {
                try await clients.booking.getBooking(request, options: callOptions)
            }
            return .booking(answer.booking?.status.shopperState ?? .unknown)
        } catch {
            return .bookingCallFailed(HistoryOutcome(error: error))
        }
    }
}

/// The last status a WatchQueue stream delivered, kept outside the stream handler so that it
/// survives the handler ending with DEADLINE_EXCEEDED.
private final class LastQueueStatus: Sendable {
    let value = Mutex<Boxoffice_Booking_V1_QueueStatus?>(nil)
    var current: Boxoffice_Booking_V1_QueueStatus? { value.withLock { $0 } }
}
