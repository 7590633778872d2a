/// What one simulated shopper will do, decided up front from the run's seed and the shopper's
/// index, so the crowd does not depend on timing or concurrency.
public struct ShopperPlan: Sendable, Hashable {
    /// The `user_id` the shopper sends.
    public var userID: String
    /// The holds it tries, in order: its first choice, then fallbacks after a refusal.
    public var holdRequests: [HoldRequestPlan]
    /// What it does once it holds a booking.
    public var checkout: CheckoutChoice
    /// Whether it waits in the queue on the WatchQueue stream (else it polls GetQueueStatus).
    public var watchesQueue: Bool

    /// Creates a plan.
    public init(userID: String, holdRequests: [HoldRequestPlan], checkout: CheckoutChoice, watchesQueue: Bool) {
        self.userID = userID
        self.holdRequests = holdRequests
        self.checkout = checkout
        self.watchesQueue = watchesQueue
    }

    /// The plan of shopper `index` (0-based) of a drop: its selection kind, quantity and checkout
    /// choice drawn from the configuration's mixes; specific seats picked from the venue; fallbacks
    /// to best-available in another section and to GA.
    public init(index: Int, runID: String, configuration: DropConfiguration, venue: VenuePlan) {
        var random = DropRandom(seed: configuration.seed, stream: UInt64(index))
        let quantity = min(configuration.quantityMix.draw(using: &random), configuration.maxTicketsPerUser)
        var kind = configuration.selectionMix.draw(using: &random)
        if venue.sections.isEmpty { kind = .generalAdmission }
        if venue.generalAdmissionCapacity == 0 && kind == .generalAdmission { kind = .bestAvailable }
        var requests: [HoldRequestPlan] = []
        for attempt in 0..<configuration.maxHoldAttempts {
            let section = venue.sections.randomElement(using: &random)
            let thisKind: SelectionKind
            if attempt == 0 {
                thisKind = kind
            } else if section == nil || (attempt == configuration.maxHoldAttempts - 1 && venue.generalAdmissionCapacity > 0) {
                thisKind = .generalAdmission
            } else {
                thisKind = .bestAvailable
            }
            switch thisKind {
            case .specificSeats:
                if let section, let seats = venue.adjacentSeats(in: section, quantity: quantity, using: &random) {
                    requests.append(.specificSeats(seats))
                } else if let section {
                    requests.append(.bestAvailable(section: section.code, quantity: quantity))
                } else {
                    requests.append(.generalAdmission(pool: venue.generalAdmissionPool, quantity: quantity))
                }
            case .bestAvailable:
                if let section {
                    requests.append(.bestAvailable(section: section.code, quantity: quantity))
                } else {
                    requests.append(.generalAdmission(pool: venue.generalAdmissionPool, quantity: quantity))
                }
            case .generalAdmission:
                requests.append(.generalAdmission(pool: venue.generalAdmissionPool, quantity: quantity))
            }
        }
        self.init(userID: "\(runID)-u\(index)", holdRequests: requests,
                  checkout: configuration.checkoutMix.choices.draw(using: &random),
                  watchesQueue: Int.random(in: 0..<100, using: &random) < configuration.watchQueuePercent)
    }
}

/// One hold a shopper asks booking for.
public enum HoldRequestPlan: Sendable, Hashable, CustomStringConvertible {
    /// These seats, all or nothing.
    case specificSeats([Int64])
    /// The best `quantity` adjacent seats in a section.
    case bestAvailable(section: String, quantity: Int)
    /// `quantity` GA units from a pool.
    case generalAdmission(pool: String, quantity: Int)

    /// Tickets asked for.
    public var quantity: Int {
        switch self {
        case .specificSeats(let seats): seats.count
        case .bestAvailable(_, let quantity), .generalAdmission(_, let quantity): quantity
        }
    }

    /// The form used in the history: `specific:1,2`, `best:S3x2`, `ga:GAx2`.
    public var description: String {
        switch self {
        case .specificSeats(let seats): "specific:" + seats.map(String.init).joined(separator: ",")
        case .bestAvailable(let section, let quantity): "best:\(section)x\(quantity)"
        case .generalAdmission(let pool, let quantity): "ga:\(pool)x\(quantity)"
        }
    }
}
