import BoxOfficeAPI
import BoxOfficeRPC

/// Input checks of the booking RPCs: each failure is INVALID_ARGUMENT naming the field and the rule.
enum BookingRequests {
    static let maximumKeyLength = 200
    static let maximumIdLength = 200
    static let maximumSeatsPerHold = 50

    static func invalid(_ message: String) -> RPCError { RPCError(code: .invalidArgument, message: message) }

    static func requireId(_ value: String, _ field: String) throws(RPCError) {
        guard !value.isEmpty else { throw invalid("\(field) is required") }
        guard value.utf8.count <= maximumIdLength else {
            throw invalid("\(field) is longer than \(maximumIdLength) bytes")
        }
    }

    static func optionalKey(_ key: String) throws(RPCError) {
        guard key.utf8.count <= maximumKeyLength else {
            throw invalid("idempotency_key is longer than \(maximumKeyLength) bytes")
        }
    }

    /// The seat selection of a HoldSeats request, checked.
    static func selection(of request: Boxoffice_Booking_V1_HoldSeatsRequest) throws(RPCError) -> SeatSelection {
        switch request.selection {
        case nil:
            throw invalid("selection is required: specific_seats, best_available or general_admission")
        case .specificSeats(let seats)?:
            let ids = seats.seatIds
            guard !ids.isEmpty else { throw invalid("specific_seats.seat_ids is empty") }
            guard ids.count <= maximumSeatsPerHold else {
                throw invalid("specific_seats.seat_ids has \(ids.count) seats; at most \(maximumSeatsPerHold) per hold")
            }
            guard ids.allSatisfy({ $0 > 0 }) else { throw invalid("specific_seats.seat_ids must be positive") }
            guard Set(ids).count == ids.count else { throw invalid("specific_seats.seat_ids lists a seat twice") }
            return .specificSeats(ids)
        case .bestAvailable(let best)?:
            guard best.quantity > 0, best.quantity <= maximumSeatsPerHold else {
                throw invalid("best_available.quantity must lie in 1...\(maximumSeatsPerHold), got \(best.quantity)")
            }
            return .bestAvailable(quantity: best.quantity, sectionCode: best.sectionCode, priceTier: best.priceTier)
        case .generalAdmission(let ga)?:
            guard !ga.poolCode.isEmpty else { throw invalid("general_admission.pool_code is required") }
            guard ga.quantity > 0, ga.quantity <= maximumSeatsPerHold else {
                throw invalid("general_admission.quantity must lie in 1...\(maximumSeatsPerHold), got \(ga.quantity)")
            }
            return .generalAdmission(poolCode: ga.poolCode, quantity: ga.quantity)
        }
    }

    /// The canonical rendering of a hold request's parameters, for the idempotency check.
    static func fingerprint(eventId: Int64, selection: SeatSelection) -> String {
        switch selection {
        case .specificSeats(let ids): "event=\(eventId);seats=\(ids.map(String.init).joined(separator: ","))"
        case .bestAvailable(let quantity, let section, let tier): "event=\(eventId);best=\(quantity)/\(section)/\(tier)"
        case .generalAdmission(let pool, let quantity): "event=\(eventId);ga=\(pool)/\(quantity)"
        }
    }
}

extension SagaRejection {
    /// The status a user request refused by the saga answers with.
    func rpcError(bookingId: String) -> RPCError {
        switch reason {
        case .holdNotGranted:
            RPCError(code: .failedPrecondition, message: "booking \(bookingId) has no hold")
        case .bookingExpired:
            RPCError(code: .failedPrecondition, message: "booking \(bookingId) has expired; hold the seats again")
        case .bookingCancelled:
            RPCError(code: .failedPrecondition, message: "booking \(bookingId) was cancelled")
        case .paymentStarted:
            RPCError(code: .failedPrecondition, message: "booking \(bookingId) is being paid for and can no longer be cancelled")
        case .unexpectedAnswer, .contradictsRecordedOutcome, .inconsistentState:
            RPCError(code: .internal, message: "booking \(bookingId) cannot take this request (\(reason.rawValue))")
        }
    }
}
