/// What the booking database says about bookings and their sagas, read once for the ``HistoryChecker``.
public struct BookingAudit: Sendable, Hashable, Codable {
    /// One booking with its saga step.
    public struct Booking: Sendable, Hashable, Codable {
        /// The row's primary key.
        public var id: String
        /// The user who called (or owns the booking).
        public var userID: String
        /// The event's id.
        public var eventID: Int64
        /// The saga step's name (`SagaStep.name`, e.g. `confirmed`, `releasing(expired)`).
        public var step: String
        /// Whether the step is terminal (the `terminal` column, written from `SagaStep.isTerminal`).
        public var isTerminal: Bool
        /// The inventory hold.
        public var holdID: String?
        /// The payment, once checkout started.
        public var paymentID: String?
        /// The seats it holds or owns.
        public var seatIDs: [Int64]
        /// The client's idempotency key of the HoldSeats call that created it, when recorded.
        public var holdIdempotencyKey: String?
        /// Creates a value from its fields.
        public init(id: String, userID: String, eventID: Int64, step: String, isTerminal: Bool, holdID: String?,
                    paymentID: String?, seatIDs: [Int64], holdIdempotencyKey: String?) {
            self.id = id
            self.userID = userID
            self.eventID = eventID
            self.step = step
            self.isTerminal = isTerminal
            self.holdID = holdID
            self.paymentID = paymentID
            self.seatIDs = seatIDs
            self.holdIdempotencyKey = holdIdempotencyKey
        }

        /// Sold and paid.
        public var isConfirmed: Bool { step == "confirmed" }
    }

    /// Bookings in the booking database.
    public var bookings: [Booking]

    /// Creates a value from its fields.
    public init(bookings: [Booking] = []) {
        self.bookings = bookings
    }
}
