/// One client call as the crowd saw it: what it asked, and what it was told. The checker's view of the
/// drop's client history.
public struct ObservedCall: Sendable, Hashable, Codable {
    /// What the client was told.
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// An answer arrived.
        case ok
        /// A definite refusal (a status that says nothing happened, or that it was refused).
        case failed
        /// No answer that says what happened: a timeout, a dropped connection, UNAVAILABLE mid-call.
        case unknown
    }

    /// The booking calls whose effects the checker follows.
    public enum Operation: String, Sendable, Hashable, Codable {
        case hold, checkout, cancel, getBooking, other
    }

    /// What was called.
    public var operation: Operation
    /// What the client was told.
    public var outcome: Outcome
    /// The user who called (or owns the booking).
    public var userID: String
    /// The event's id.
    public var eventID: Int64?
    /// The booking the call was about (known for checkout, cancel, get; for hold, from the answer).
    public var bookingID: String?
    /// The client's idempotency key for mutating calls.
    public var idempotencyKey: String?
    /// The booking status in the answer, e.g. `CONFIRMED` (proto enum name without prefix), for ok outcomes.
    public var bookingStatus: String?
    /// Line number in the history file (1-based), for evidence.
    public var line: Int?

    /// Creates a value from its fields.
    public init(operation: Operation, outcome: Outcome, userID: String, eventID: Int64? = nil, bookingID: String? = nil,
                idempotencyKey: String? = nil, bookingStatus: String? = nil, line: Int? = nil) {
        self.operation = operation
        self.outcome = outcome
        self.userID = userID
        self.eventID = eventID
        self.bookingID = bookingID
        self.idempotencyKey = idempotencyKey
        self.bookingStatus = bookingStatus
        self.line = line
    }

    /// The client was told, in so many words, that this booking is CONFIRMED.
    public var acknowledgedConfirmed: Bool {
        outcome == .ok && bookingID != nil && bookingStatus.map(Self.normalizedStatus) == "CONFIRMED"
    }

    /// `BOOKING_STATUS_CONFIRMED`, `confirmed` and `CONFIRMED` all read as `CONFIRMED`.
    static func normalizedStatus(_ status: String) -> String {
        let upper = status.uppercased()
        return upper.hasPrefix("BOOKING_STATUS_") ? String(upper.dropFirst("BOOKING_STATUS_".count)) : upper
    }

    /// `history line N: operation outcome user=… booking=… key=… status=…`, for a report.
    public var evidence: String {
        var parts = ["history\(line.map { " line \($0)" } ?? ""): \(operation.rawValue) \(outcome.rawValue) user=\(userID)"]
        if let bookingID { parts.append("booking=\(bookingID)") }
        if let idempotencyKey { parts.append("key=\(idempotencyKey)") }
        if let bookingStatus { parts.append("status=\(bookingStatus)") }
        return parts.joined(separator: " ")
    }
}

extension ObservedCall {
    /// The checker's view of one line of the drop's client history.
    public init(_ record: HistoryRecord) {
        let operation: Operation = switch record.op {
        case .holdSeats: .hold
        case .checkout: .checkout
        case .cancelBooking: .cancel
        case .getBooking: .getBooking
        default: .other
        }
        let outcome: Outcome = switch record.outcome {
        case .ok: .ok
        case .failed: .failed
        case .unknown: .unknown
        }
        self.init(operation: operation, outcome: outcome, userID: record.user, eventID: record.event, bookingID: record.booking,
                  idempotencyKey: record.key, bookingStatus: record.status, line: record.seq)
    }
}
