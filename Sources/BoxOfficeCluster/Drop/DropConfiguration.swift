/// Everything that shapes a ticket drop: the venue, the crowd and how it behaves, and the bounds
/// that keep every wait finite.
public struct DropConfiguration: Sendable, Hashable {
    /// Simulated shoppers.
    public var users = 50_000
    /// Shoppers in flight at once (each one a task).
    public var concurrency = 500
    /// Reserved seats.
    public var seats = 10_000
    /// General-admission units (one pool); 0 for none.
    public var generalAdmission = 2_000
    /// How long a hold lives before the sweeper releases it.
    public var holdTTL: Duration = .seconds(20)
    /// The most tickets one shopper may hold or own (the event's per-holder cap).
    public var maxTicketsPerUser = 8
    /// What shoppers do with a held booking.
    public var checkoutMix = CheckoutMix.standard
    /// How shoppers choose: specific adjacent seats, best available in a section, or GA units.
    public var selectionMix = WeightedChoices<SelectionKind>([
        .init(.specificSeats, weight: 30), .init(.bestAvailable, weight: 50), .init(.generalAdmission, weight: 20),
    ])
    /// Tickets per shopper: 1 to 4, pairs most often.
    public var quantityMix = WeightedChoices<Int>([.init(1, weight: 25), .init(2, weight: 45), .init(3, weight: 15),
                                                   .init(4, weight: 15)])
    /// Seeds the crowd: the same seed makes the same shoppers with the same choices.
    public var seed: UInt64 = 1
    /// The sale opens this long after the event is created; shoppers who enter before are "early".
    public var saleOpensAfter: Duration = .seconds(2)
    /// Shoppers who watch the queue with the WatchQueue stream (percent); the rest poll GetQueueStatus.
    public var watchQueuePercent = 30
    /// Pause between queue polls (jittered; shortened by the server's estimate when it is lower).
    public var queuePollInterval: Duration = .seconds(1)
    /// The longest a shopper waits in the queue before giving up.
    public var maxQueueWait: Duration = .seconds(600)
    /// Hold attempts per shopper (after a refusal it tries another selection).
    public var maxHoldAttempts = 3
    /// Time budget of one call (Checkout gets ``checkoutTimeout``).
    public var callTimeout: Duration = .seconds(10)
    /// Time budget of one Checkout call; above the payment service's provider timeout.
    public var checkoutTimeout: Duration = .seconds(40)
    /// Retries of a Checkout whose outcome is unknown (same idempotency key).
    public var checkoutRetries = 2
    /// How long a shopper polls a PAYMENT_PENDING booking (GetBooking) before calling it unresolved.
    public var pendingPollLimit: Duration = .seconds(90)
    /// After the crowd, how long to wait for pending payments and live holds to settle before the audit.
    public var settleTimeout: Duration = .seconds(120)
    /// How often the sell-out monitor reads availability.
    public var monitorInterval: Duration = .milliseconds(250)
    /// Shoppers the waiting room admits a second (the event's `admission_rate_per_second` label).
    public var admissionRatePerSecond = 1_000.0
    /// Shoppers admitted together (the event's `admission_batch_size` label).
    public var admissionBatchSize = 50
    /// A name for the event, shown in the report.
    public var eventName = "BoxOffice drop"

    /// The defaults: 50,000 shoppers, 10,000 seats plus 2,000 GA, 500 at a time.
    public init() {}

    /// The venue these settings describe.
    public var venue: VenuePlan { VenuePlan(seatCount: seats, generalAdmissionCapacity: generalAdmission) }

    /// Checks the settings can work.
    ///
    /// - Throws: ``DropConfigurationError`` naming the setting and the accepted range.
    public func validate() throws(DropConfigurationError) {
        func require(_ condition: Bool, _ message: String) throws(DropConfigurationError) {
            if !condition { throw DropConfigurationError(message) }
        }
        try require(users >= 1 && users <= 10_000_000, "--users must be 1-10000000, got \(users)")
        try require(concurrency >= 1 && concurrency <= 20_000, "--concurrency must be 1-20000, got \(concurrency)")
        try require(seats >= 0 && seats <= 200_000, "--seats must be 0-200000, got \(seats)")
        try require(generalAdmission >= 0 && generalAdmission <= 1_000_000, "--ga must be 0-1000000, got \(generalAdmission)")
        try require(seats + generalAdmission > 0, "the event needs something to sell: --seats or --ga above 0")
        try require(holdTTL >= .seconds(1) && holdTTL <= .seconds(3600), "--hold-ttl must be 1-3600 seconds")
        try require(maxTicketsPerUser >= 1, "--max-tickets-per-user must be at least 1")
        try require((0...100).contains(watchQueuePercent), "--watch-percent must be 0-100")
        try require(maxHoldAttempts >= 1 && maxHoldAttempts <= 10, "--hold-attempts must be 1-10")
        try require(checkoutRetries >= 0 && checkoutRetries <= 10, "--checkout-retries must be 0-10")
        try require(admissionRatePerSecond > 0 && admissionRatePerSecond.isFinite, "--admission-rate must be above 0")
        try require(admissionBatchSize >= 1, "--admission-batch must be at least 1")
        try require(callTimeout > .zero && checkoutTimeout > .zero, "call timeouts must be positive")
    }
}

/// How a shopper picks what to hold.
public enum SelectionKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Specific adjacent seats picked from the seat map (all or nothing).
    case specificSeats = "specific"
    /// The best adjacent seats in a section.
    case bestAvailable = "best"
    /// General-admission units.
    case generalAdmission = "ga"
}
