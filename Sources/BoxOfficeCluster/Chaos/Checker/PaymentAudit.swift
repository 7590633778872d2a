/// What the payment database says about money, read once for the ``HistoryChecker``.
public struct PaymentAudit: Sendable, Hashable, Codable {
    /// One payment row.
    public struct Payment: Sendable, Hashable, Codable {
        /// The row's primary key.
        public var id: String
        /// The booking it belongs to.
        public var bookingID: String
        /// `PENDING`, `CAPTURED`, `DECLINED`, `NOT_CHARGED` or `REFUNDED`.
        public var status: String
        /// The amount in minor units.
        public var amountMinor: Int64
        /// Minor units refunded so far.
        public var refundedMinor: Int64
        /// The provider's charge id, once known.
        public var providerChargeID: String?
        /// Creates a value from its fields.
        public init(id: String, bookingID: String, status: String, amountMinor: Int64, refundedMinor: Int64,
                    providerChargeID: String?) {
            self.id = id
            self.bookingID = bookingID
            self.status = status
            self.amountMinor = amountMinor
            self.refundedMinor = refundedMinor
            self.providerChargeID = providerChargeID
        }

        /// Money was taken at some point (captured, possibly refunded since).
        public var wasCharged: Bool { status == "CAPTURED" || status == "REFUNDED" }
    }

    /// An outcome notification booking has not acknowledged.
    public struct UndeliveredOutcome: Sendable, Hashable, Codable {
        /// The row's primary key.
        public var id: String
        /// The booking it belongs to.
        public var bookingID: String
        /// Deliveries tried and failed.
        public var failedAttempts: Int
        /// Creates a value from its fields.
        public init(id: String, bookingID: String, failedAttempts: Int) {
            self.id = id
            self.bookingID = bookingID
            self.failedAttempts = failedAttempts
        }
    }

    /// Every payment.
    public var payments: [Payment]
    /// Outcome notifications not acknowledged yet.
    public var undeliveredOutcomes: [UndeliveredOutcome]

    /// Creates a value from its fields.
    public init(payments: [Payment] = [], undeliveredOutcomes: [UndeliveredOutcome] = []) {
        self.payments = payments
        self.undeliveredOutcomes = undeliveredOutcomes
    }
}
