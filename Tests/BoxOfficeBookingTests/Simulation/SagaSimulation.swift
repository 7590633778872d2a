import BoxOfficeBooking
import BoxOfficeHarness

/// One seeded run of the booking saga in a fake world: a fake clock, users, an unreliable network,
/// simulated inventory and payment, and a booking process that crashes and resumes from what it
/// persisted. Everything random comes from one `SplitMix64`, so a seed replays exactly.
///
/// The booking process drives the real `BookingSaga` the way the service must: persist, then act;
/// feed answers and failures back; resume every saga on restart.
struct SagaSimulation {
    struct Configuration {
        var bookings = 8
        var seats = 12
        var holdTTL: Int64 = 10_000
        var maximumPin: Int64 = 30_000
        /// Crashes, lost messages, slow answers and outages happen only before this instant.
        var faultsUntil: Int64 = 40_000
        var horizon: Int64 = 900_000
        var maximumEvents = 200_000
        /// Chance that the booking process crashes at each crash point (before a write, after it, between calls).
        var crashChance = 0.02
        /// Chance that a request, and separately its answer, is lost; and that an answer comes after the deadline.
        var lossChance = 0.05
        var slowChance = 0.05
        /// A deliberately wrong driver that treats a charge timeout as a decline, to show the checks bite.
        var guessChargeTimeoutsAsDeclined = false

        /// A harsher world: more bookings than seats by far, frequent crashes, lossy links, long outages.
        static var harsh: Configuration {
            var configuration = Configuration()
            configuration.bookings = 16
            configuration.seats = 10
            configuration.faultsUntil = 90_000
            configuration.crashChance = 0.08
            configuration.lossChance = 0.2
            configuration.slowChance = 0.15
            return configuration
        }
    }

    /// What a run produced.
    struct Outcome {
        var seed: UInt64
        var violations: [String]
        var fingerprint: UInt64
        var finalSteps: [SagaStep]
        var crashes: Int
        var events: Int
        var trace: [String]
    }

    enum WorldEvent {
        case userArrives(booking: String)
        case userRequest(booking: String, SagaEvent, attempt: Int)
        case request(token: Int, incarnation: Int, booking: String, SagaCall)
        case reply(token: Int, incarnation: Int, SagaEvent)
        case callDeadline(token: Int, incarnation: Int)
        case wakeUp(booking: String, incarnation: Int)
        case crash
        case restart
        case paymentResolves(booking: String)
        case notify(booking: String, PaymentStatus)
    }

    enum Service { case inventory, payment }

    let seed: UInt64
    let configuration: Configuration
    let policy: SagaPolicy
    var random: SplitMix64
    var queue = SimulationQueue<WorldEvent>()
    var now: Int64 = 0
    var inventory: SimulatedInventory
    var payment = SimulatedPayment()
    var bookingIds: [String] = []
    var quantities: [String: Int] = [:]
    var behaviours: [String: SimulatedPayment.Behaviour] = [:]
    var outages: [(service: Service, from: Int64, to: Int64)] = []

    // The booking process: `store` is what it persisted and survives crashes; the rest dies with it.
    var up = true
    var incarnation = 0
    var store: [String: BookingSaga] = [:]
    var outstanding: [Int: (booking: String, kind: SagaCallKind)] = [:]
    var nextToken = 0

    var violations: [String] = []
    var fingerprint: UInt64 = 0xCBF2_9CE4_8422_2325
    var crashes = 0
    var events = 0
    let tracing: Bool
    var trace: [String] = []

    init(seed: UInt64, configuration: Configuration = Configuration(), tracing: Bool = false) {
        self.seed = seed
        self.configuration = configuration
        self.tracing = tracing
        random = SplitMix64(seed: seed)
        inventory = SimulatedInventory(capacity: configuration.seats, holdTTL: configuration.holdTTL,
                                       maximumPin: configuration.maximumPin)
        var policy = SagaPolicy()
        policy.callTimeout = .milliseconds(1_000)
        policy.chargeTimeout = .milliseconds(3_000)
        policy.minimumCallBudget = .milliseconds(200)
        policy.lostCallGrace = .milliseconds(500)
        policy.initialBackoff = .milliseconds(100)
        policy.maximumBackoff = .milliseconds(2_000)
        policy.pinDuration = .seconds(30)
        policy.paymentDecisionMargin = .seconds(5)
        policy.pollInterval = .seconds(1)
        policy.maximumPollInterval = .seconds(5)
        self.policy = policy
    }

    /// Runs the world until every event is processed (or the horizon), then checks the invariants.
    mutating func run() -> Outcome {
        setUpWorld()
        while let (at, event) = queue.next() {
            guard at <= configuration.horizon, events < configuration.maximumEvents else { break }
            now = max(now, at)
            events += 1
            process(event)
        }
        checkInvariants()
        let finalSteps = bookingIds.compactMap { store[$0]?.step }
        for step in finalSteps { mix(UInt64(SagaStep.allCases.firstIndex(of: step) ?? 99)) }
        return Outcome(seed: seed, violations: violations, fingerprint: fingerprint, finalSteps: finalSteps,
                       crashes: crashes, events: events, trace: trace)
    }

    // MARK: World set-up

    mutating func setUpWorld() {
        for index in 0..<configuration.bookings {
            let id = "bk-\(index)"
            bookingIds.append(id)
            quantities[id] = Int(random.int(in: 1...3))
            let behaviours = SimulatedPayment.Behaviour.allCases
            self.behaviours[id] = behaviours[Int(random.int(in: 0...Int64(behaviours.count - 1)))]
            let arrival = random.int(in: 0...5_000)
            queue.schedule(.userArrives(booking: id), at: arrival)
            planUser(id, arrival: arrival)
        }
        for service in [Service.inventory, .payment] {
            for _ in 0..<random.int(in: 0...2) {
                let from = random.int(in: 0...(configuration.faultsUntil - 5_000))
                outages.append((service, from, from + random.int(in: 500...5_000)))
            }
        }
        queue.schedule(.crash, at: random.int(in: 1_000...15_000))
    }

    /// What the user will do once held: pay (sometimes twice, sometimes late), cancel, or walk away.
    mutating func planUser(_ id: String, arrival: Int64) {
        let intent = random.int(in: 0...99)
        let at = arrival + random.int(in: 200...12_000)
        if intent < 65 {
            queue.schedule(.userRequest(booking: id, .checkoutRequested(paymentToken: "tok-\(id)"), attempt: 0), at: at)
            if random.chance(0.2) {
                queue.schedule(.userRequest(booking: id, .checkoutRequested(paymentToken: "tok-\(id)"), attempt: 0),
                               at: at + random.int(in: 0...3_000))
            }
            if random.chance(0.1) {
                queue.schedule(.userRequest(booking: id, .cancelRequested, attempt: 0), at: at + random.int(in: 0...3_000))
            }
        } else if intent < 80 {
            queue.schedule(.userRequest(booking: id, .cancelRequested, attempt: 0), at: at)
        }
    }

    var faulty: Bool { now < configuration.faultsUntil }

    func isDown(_ service: Service) -> Bool {
        outages.contains { $0.service == service && $0.from <= now && now < $0.to }
    }
}

extension Duration {
    /// Whole milliseconds.
    var milliseconds: Int64 {
        components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000
    }
}
