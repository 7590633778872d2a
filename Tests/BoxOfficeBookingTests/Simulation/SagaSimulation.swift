import BoxOfficeBooking

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
        /// A deliberately wrong driver that treats a charge timeout as a decline, to show the checks bite.
        var guessChargeTimeoutsAsDeclined = false
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

    private enum WorldEvent {
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

    private enum Service { case inventory, payment }

    let seed: UInt64
    let configuration: Configuration
    let policy: SagaPolicy
    private var random: SplitMix64
    private var queue = SimulationQueue<WorldEvent>()
    private var now: Int64 = 0
    private var inventory: SimulatedInventory
    private var payment = SimulatedPayment()
    private var bookingIds: [String] = []
    private var quantities: [String: Int] = [:]
    private var behaviours: [String: SimulatedPayment.Behaviour] = [:]
    private var outages: [(service: Service, from: Int64, to: Int64)] = []

    // The booking process: `store` is what it persisted and survives crashes; the rest dies with it.
    private var up = true
    private var incarnation = 0
    private var store: [String: BookingSaga] = [:]
    private var outstanding: [Int: (booking: String, kind: SagaCallKind)] = [:]
    private var nextToken = 0

    private var violations: [String] = []
    private var fingerprint: UInt64 = 0xCBF2_9CE4_8422_2325
    private var crashes = 0
    private var events = 0
    private let tracing: Bool
    private var trace: [String] = []

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

    private mutating func setUpWorld() {
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
    private mutating func planUser(_ id: String, arrival: Int64) {
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

    private var faulty: Bool { now < configuration.faultsUntil }

    private func isDown(_ service: Service) -> Bool {
        outages.contains { $0.service == service && $0.from <= now && now < $0.to }
    }

    // MARK: Event processing

    private mutating func process(_ event: WorldEvent) {
        switch event {
        case .userArrives(let id):
            guard up else {
                queue.schedule(.userArrives(booking: id), at: now + 500)  // the client retries HoldSeats
                return
            }
            guard store[id] == nil else { return }
            let (saga, actions) = BookingSaga.start(
                bookingId: id, userId: "user-\(id)", eventId: 1,
                selection: .generalAdmission(poolCode: "ga", quantity: Int32(quantities[id] ?? 1)),
                now: instant, policy: policy)
            if faulty && random.chance(0.02) {
                crash()
                queue.schedule(.userArrives(booking: id), at: now + 500)
                return
            }
            store[id] = saga
            record(id, "start", saga)
            perform(actions, for: id)

        case .userRequest(let id, let request, let attempt):
            guard up, let saga = store[id], saga.step != .holdRequested else {
                if attempt < 40 { queue.schedule(.userRequest(booking: id, request, attempt: attempt + 1), at: now + 500) }
                return
            }
            deliver(request, to: id, fromUser: true)

        case .request(let token, let callerIncarnation, let id, let call):
            serve(call, token: token, callerIncarnation: callerIncarnation, booking: id)

        case .reply(let token, let replyIncarnation, let answer):
            guard up, replyIncarnation == incarnation, let entry = outstanding.removeValue(forKey: token) else { return }
            deliver(answer, to: entry.booking, fromUser: false)

        case .callDeadline(let token, let callIncarnation):
            guard up, callIncarnation == incarnation, let entry = outstanding.removeValue(forKey: token) else { return }
            if configuration.guessChargeTimeoutsAsDeclined && entry.kind == .charge {
                deliver(.chargeAnswered(.declined), to: entry.booking, fromUser: false)
            } else {
                deliver(.callFailed(entry.kind), to: entry.booking, fromUser: false)
            }

        case .wakeUp(let id, let timerIncarnation):
            guard up, timerIncarnation == incarnation else { return }
            deliver(.timerFired, to: id, fromUser: false)

        case .crash:
            if up && faulty { crash() }
            if faulty { queue.schedule(.crash, at: now + random.int(in: 3_000...15_000)) }

        case .restart:
            up = true
            for id in store.keys.sorted() {
                guard var saga = store[id], !saga.isTerminal else { continue }
                do {
                    let transition = try saga.resume(now: instant, policy: policy)
                    apply(transition, saga: saga, to: id, note: "resume")
                } catch {
                    violations.append("t=\(now) resume of \(id) refused: \(error)")
                }
                if !up { return }  // crashed again while resuming
            }

        case .paymentResolves(let id):
            if let status = payment.resolve(bookingId: id) { notifyOutcome(id, status) }

        case .notify(let id, let status):
            guard up else {
                queue.schedule(.notify(booking: id, status), at: now + 500)  // the outbox retries until acknowledged
                return
            }
            deliver(.paymentNotified(status), to: id, fromUser: false)
        }
    }

    private var instant: SagaInstant { SagaInstant(millisecondsSinceEpoch: now) }

    /// Feeds one event to a persisted saga, the way the service does.
    private mutating func deliver(_ event: SagaEvent, to id: String, fromUser: Bool) {
        guard var saga = store[id] else { return }
        let transition: SagaTransition
        do {
            transition = try saga.handle(event, now: instant, policy: policy)
        } catch {
            let userError: Set<SagaRejection.Reason> = [.holdNotGranted, .bookingExpired, .bookingCancelled, .paymentStarted]
            if !(fromUser && userError.contains(error.reason)) {
                violations.append("t=\(now) \(error)")
            }
            record(id, "\(event) rejected \(error.reason)", saga)
            return
        }
        guard transition.mustPersist || !transition.actions.isEmpty else { return }
        apply(transition, saga: saga, to: id, note: "\(event)")
    }

    /// Persist, then act — with crashes possible before the write, after it, and between calls.
    private mutating func apply(_ transition: SagaTransition, saga: BookingSaga, to id: String, note: String) {
        if faulty && random.chance(0.02) {
            crash()
            return
        }
        if transition.mustPersist { store[id] = saga }
        record(id, note, saga)
        if faulty && random.chance(0.02) {
            crash()
            return
        }
        perform(transition.actions, for: id)
    }

    private mutating func perform(_ actions: [SagaAction], for id: String) {
        for action in actions {
            switch action {
            case .call(let call):
                nextToken += 1
                outstanding[nextToken] = (id, call.kind)
                queue.schedule(.request(token: nextToken, incarnation: incarnation, booking: id, call),
                               at: now + random.int(in: 5...150))
                queue.schedule(.callDeadline(token: nextToken, incarnation: incarnation),
                               at: call.deadline.millisecondsSinceEpoch)
            case .wakeUp(let at):
                queue.schedule(.wakeUp(booking: id, incarnation: incarnation), at: max(now, at.millisecondsSinceEpoch))
            }
            if faulty && random.chance(0.01) {
                crash()
                return
            }
        }
    }

    private mutating func crash() {
        up = false
        crashes += 1
        incarnation += 1
        outstanding.removeAll()
        queue.schedule(.restart, at: now + random.int(in: 50...3_000))
        if tracing { trace.append("t=\(now) CRASH") }
    }

    // MARK: The services

    private mutating func serve(_ call: SagaCall, token: Int, callerIncarnation: Int, booking id: String) {
        if faulty && random.chance(0.05) { return }  // lost on the way: the caller's deadline fires
        let service: Service = [.charge, .getPayment, .refund].contains(call.kind) ? .payment : .inventory
        var slow = faulty && random.chance(0.05)
        let answer: SagaEvent
        if isDown(service) {
            answer = .callFailed(call.kind)  // UNAVAILABLE
        } else {
            switch call.request {
            case .hold(_, _, let selection):
                var quantity = 1
                if case .generalAdmission(_, let units) = selection { quantity = Int(units) }
                answer = .holdAnswered(inventory.hold(key: call.idempotencyKey, quantity: quantity, now: now))
            case .pin(let holdId, _, let pinFor):
                answer = .pinAnswered(inventory.pin(holdId: holdId, pinFor: pinFor.milliseconds, now: now))
            case .charge(let bookingId, let amount, _, let deadline):
                let isNew = payment.payments[bookingId] == nil
                let behaviour = behaviours[bookingId] ?? .approve
                let status = payment.charge(bookingId: bookingId, key: call.idempotencyKey, amount: amount,
                                            deadline: deadline.millisecondsSinceEpoch, now: now, behaviour: behaviour)
                if isNew {
                    if status == .pending {
                        queue.schedule(.paymentResolves(booking: bookingId), at: now + random.int(in: 500...40_000))
                    } else {
                        notifyOutcome(bookingId, status)
                    }
                    slow = slow || behaviour == .slowAnswerButCharge
                }
                answer = .chargeAnswered(status)
            case .getPayment(let bookingId):
                answer = payment.payments[bookingId].map { .paymentPolled($0.status) } ?? .callFailed(.getPayment)
            case .confirm(let holdId, _, let orderReference):
                answer = .confirmAnswered(inventory.confirm(key: call.idempotencyKey, holdId: holdId,
                                                            bookingId: orderReference, now: now))
            case .release(let holdId, _, _):
                inventory.release(holdId: holdId)
                answer = .releaseAnswered
            case .refund(let bookingId, _):
                let wasRefunded = payment.payments[bookingId]?.status == .refunded
                if payment.refund(bookingId: bookingId) {
                    if !wasRefunded { notifyOutcome(bookingId, .refunded) }
                    answer = .refundAnswered
                } else {
                    answer = .callFailed(.refund)
                }
            }
        }
        if faulty && random.chance(0.05) { return }  // the answer is lost
        let latency = slow ? max(0, call.deadline.millisecondsSinceEpoch - now) + random.int(in: 1...2_000)
                           : random.int(in: 5...150)
        queue.schedule(.reply(token: token, incarnation: callerIncarnation, answer), at: now + latency)
    }

    /// Payment's outbox: outcomes arrive late, sometimes twice, sometimes after a stale PENDING, and
    /// sometimes never (then only the saga's polls find them).
    private mutating func notifyOutcome(_ id: String, _ status: PaymentStatus) {
        if random.chance(0.1) { return }
        queue.schedule(.notify(booking: id, status), at: now + random.int(in: 10...3_000))
        if random.chance(0.2) { queue.schedule(.notify(booking: id, status), at: now + random.int(in: 10...5_000)) }
        if random.chance(0.15) { queue.schedule(.notify(booking: id, .pending), at: now + random.int(in: 10...5_000)) }
    }

    // MARK: Invariants (ARCHITECTURE.md §4)

    private mutating func checkInvariants() {
        violations += inventory.violations + payment.violations
        for id in bookingIds {
            guard let saga = store[id] else {
                violations.append("\(id) never started")
                continue
            }
            let captured = payment.captures[id] ?? 0
            let refunded = payment.refunds[id] ?? 0
            let sales = inventory.salesPerBooking[id] ?? 0
            let holds = inventory.holds.values.filter { $0.bookingKey == saga.idempotencyKey(for: .hold) }.count
            let context = "\(id) ended \(saga.step) with \(captured) capture(s), \(refunded) refund(s), \(sales) sale(s)"
            if !saga.isTerminal { violations.append("\(id) not terminal: \(saga.step)") }
            if captured > 1 { violations.append("\(context): charged twice") }
            if sales > 1 || holds > 1 { violations.append("\(context), \(holds) hold(s): a retry took effect twice") }
            if let record = payment.payments[id], record.chargeKeys != [saga.idempotencyKey(for: .charge)] {
                violations.append("\(context): charge keys \(record.chargeKeys.sorted())")
            }
            let consistent = switch saga.step {
            case .confirmed: captured == 1 && refunded == 0 && sales == 1 && saga.paymentOutcome == .captured
            case .refunded: captured == 1 && refunded == 1 && sales == 0 && saga.paymentOutcome == .refunded
            case .paymentFailed: captured == 0 && sales == 0
            case .expired, .cancelled, .holdRefused: payment.payments[id] == nil && sales == 0
            default: true  // reported as not terminal above
            }
            if !consistent { violations.append("\(context): money and seats disagree with the booking") }
        }
        for (seat, owner) in inventory.soldSeats.sorted(by: { $0.key < $1.key }) where store[owner]?.step != .confirmed {
            violations.append("seat \(seat) sold to \(owner), which is not a confirmed booking")
        }
        for hold in inventory.holds.values.sorted(by: { $0.id < $1.id }) where hold.isLive(at: now) {
            violations.append("\(hold.id) of \(hold.bookingKey) still held when every saga is done")
        }
    }

    // MARK: Replay support

    private mutating func record(_ id: String, _ note: String, _ saga: BookingSaga) {
        mix(UInt64(bitPattern: now))
        mix(UInt64(bitPattern: saga.version))
        mix(UInt64(SagaStep.allCases.firstIndex(of: saga.step) ?? 99))
        if tracing { trace.append("t=\(now) \(id) \(note) → \(saga.step) v\(saga.version)") }
    }

    private mutating func mix(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) {
            fingerprint = (fingerprint ^ ((value >> UInt64(shift)) & 0xFF)) &* 0x100_0000_01B3
        }
    }
}

extension Duration {
    /// Whole milliseconds.
    var milliseconds: Int64 {
        components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000
    }
}
