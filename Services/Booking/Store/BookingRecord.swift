/// One seat of a booking as inventory held it, kept for the booking's answer.
public struct BookedSeatDetail: Hashable, Sendable, Codable {
    /// Inventory's seat id.
    public var seatId: Int64
    /// The section's code.
    public var sectionCode: String
    /// The row label.
    public var row: String
    /// The seat number in the row.
    public var number: Int32
    /// The seat's price tier code.
    public var priceTier: String

    /// Creates a seat detail.
    public init(seatId: Int64, sectionCode: String, row: String, number: Int32, priceTier: String) {
        self.seatId = seatId
        self.sectionCode = sectionCode
        self.row = row
        self.number = number
        self.priceTier = priceTier
    }
}

/// A booking as stored: its saga (the truth) plus what the answers show beside it.
public struct BookingRecord: Hashable, Sendable {
    /// The booking's saga; ``BookingSaga/version`` is the row's version.
    public var saga: BookingSaga
    /// The seats inventory held (empty for general admission or before the hold).
    public var seats: [BookedSeatDetail]
    /// Payment's id for the booking's payment, once payment answered.
    public var paymentId: String

    /// Creates a record.
    public init(saga: BookingSaga, seats: [BookedSeatDetail] = [], paymentId: String = "") {
        self.saga = saga
        self.seats = seats
        self.paymentId = paymentId
    }

    /// The booking id.
    public var id: String { saga.bookingId }
}

/// A client's idempotency key as stored: who used it for what, with which parameters, and the answer.
public struct IdempotencyRecord: Hashable, Sendable {
    /// The operations that take client idempotency keys.
    public enum Operation: String, Hashable, Sendable {
        /// HoldSeats.
        case hold
        /// Checkout.
        case checkout
        /// CancelBooking.
        case cancel
    }

    /// The user who sent the key (keys are scoped per user).
    public var userId: String
    /// The operation the key was used for.
    public var operation: Operation
    /// The client's key.
    public var key: String
    /// The request's parameters, canonically rendered: another request under the same key is refused.
    public var fingerprint: String
    /// The booking the request created or acted on.
    public var bookingId: String
    /// The serialized response once the request was answered; nil while it is still being decided.
    public var response: [UInt8]?

    /// Creates a record.
    public init(userId: String, operation: Operation, key: String, fingerprint: String, bookingId: String,
                response: [UInt8]? = nil) {
        self.userId = userId
        self.operation = operation
        self.key = key
        self.fingerprint = fingerprint
        self.bookingId = bookingId
        self.response = response
    }
}
