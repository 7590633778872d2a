import BoxOfficePayment
import BoxOfficeProviderSimulator
import Foundation
import Testing

/// One simulated world: the provider ledger, the payment store, booking's view, and a fake clock.
struct PaymentWorld {
    struct Stats: Equatable {
        var abortedRetries = 0
        var answeredRetries = 0
        var timeouts = 0
        var crashedCalls = 0
        var providerOutages = 0
        var reconcilerResolutions = 0
        var duplicateWebhooks = 0
        var rejectedSignatures = 0
        var replaysRefused = 0
        var replaysDeduplicated = 0
        var lostRefundAnswers = 0
        var redeliveredNotifications = 0
        var refunds = 0
        var alerts = 0
        var lateRequests = 0
        var orphanRefunds = 0

        mutating func add(_ other: Stats) {
            abortedRetries += other.abortedRetries
            answeredRetries += other.answeredRetries
            timeouts += other.timeouts
            crashedCalls += other.crashedCalls
            providerOutages += other.providerOutages
            reconcilerResolutions += other.reconcilerResolutions
            duplicateWebhooks += other.duplicateWebhooks
            rejectedSignatures += other.rejectedSignatures
            replaysRefused += other.replaysRefused
            replaysDeduplicated += other.replaysDeduplicated
            lostRefundAnswers += other.lostRefundAnswers
            redeliveredNotifications += other.redeliveredNotifications
            refunds += other.refunds
            alerts += other.alerts
            lateRequests += other.lateRequests
            orphanRefunds += other.orphanRefunds
        }
    }

    /// Booking's side of one purchase.
    struct Booking {
        let id: String
        let token: TestToken
        let amount: Money
        let deadline: Date
        var received: [String] = []
        var confirmed = false
        var wantsRefund = false
        var refundDone = false
    }

    enum Action {
        case charge(String)
        case providerAnswer(booking: String, chargeID: String, callDeadline: Date)
        case callTimeout(String)
        /// A CreateCharge that reaches the provider late (held up in the network).
        case requestArrives(booking: String, request: CreateChargeRequest, callDeadline: Date)
    }

    struct Scheduled {
        var time: Date
        var order: Int
        var action: Action
    }

    static let secret = "whsec_simulation"

    var random: SeededRandom
    var ledger: ChargeLedger
    let store = InMemoryPaymentStore()
    let policy = PaymentPolicy()
    let signer = WebhookSigner(secret: PaymentWorld.secret)
    let verifier = WebhookVerifier(secrets: [PaymentWorld.secret])
    var bookings: [String: Booking] = [:]
    var queue: [Scheduled] = []
    var nextOrder = 0
    var now = t0
    var callSettled: Set<String> = []
    var crashed: Set<String> = []
    var signedDeliveries: [(payload: [UInt8], header: String, signedAt: Date)] = []
    var contradictions: [String] = []
    var orphanCharges: Set<String> = []
    var stats = Stats()
    var finishedAt: Date?

    init(seed: UInt64, bookings count: Int) {
        random = SeededRandom(seed: seed)
        ledger = ChargeLedger(
            configuration: SimulatorConfiguration(baseLatency: .milliseconds(50), latencyJitter: .seconds(2), errorRate: 0.05),
            seed: seed &+ 1)
        let currencies = ["USD", "EUR", "JPY"]
        for index in 0..<count {
            let id = "b-\(seed)-\(index)"
            let token = TestToken.allCases.randomElement(using: &random)!
            let currency = Currency(code: currencies.randomElement(using: &random)!)!
            let start = t0.plus(Double.random(in: 0..<120, using: &random))
            bookings[id] = Booking(id: id, token: token, amount: Money(amountMinor: Int64.random(in: 100...50_000, using: &random), currency: currency),
                                   deadline: start.plus(600))
            schedule(.charge(id), at: start)
            // Clients retry: some while the call is in flight (ABORTED), some after (the same payment).
            if random.chance(0.4) { schedule(.charge(id), at: start.plus(Double.random(in: 0..<60, using: &random))) }
            if random.chance(0.2) { schedule(.charge(id), at: start.plus(Double.random(in: 0..<300, using: &random))) }
        }
    }

    mutating func schedule(_ action: Action, at time: Date) {
        queue.append(Scheduled(time: time, order: nextOrder, action: action))
        nextOrder += 1
    }

    // MARK: Driving the world

    /// Runs one-second ticks until everything settled, at most three simulated hours.
    mutating func run() async throws {
        for tick in 1...10_800 {
            let tickEnd = t0.plus(Double(tick))
            while let index = queue.indices.filter({ queue[$0].time <= tickEnd })
                .min(by: { (queue[$0].time, queue[$0].order) < (queue[$1].time, queue[$1].order) }) {
                let item = queue.remove(at: index)
                now = item.time
                try await handle(item.action)
            }
            now = tickEnd
            try await deliverWebhooks()
            if random.chance(0.02) { try await replayOldWebhook() }
            if tick % 5 == 0 { try await reconcile() }
            try await deliverNotifications()
            try await requestRefunds()
            if tick > 130, try await settled() {
                finishedAt = now
                return
            }
        }
        Issue.record("the simulation did not settle within three simulated hours")
    }

    mutating func handle(_ action: Action) async throws {
        switch action {
        case .charge(let id):
            try await charge(id)
        case .providerAnswer(let id, let chargeID, let callDeadline):
            let completed = ledger.completeCharge(id: chargeID, at: now)
            let charge = try #require(completed)
            guard !crashed.contains(id), !callSettled.contains(id), now < callDeadline else { return }
            callSettled.insert(id)
            try await apply(.chargeAnswered(try #require(chargeResult(charge))), to: id)
        case .callTimeout(let id):
            guard !callSettled.contains(id) else { return }
            callSettled.insert(id)
            stats.timeouts += 1
            try await apply(.chargeUnanswered, to: id)
        case .requestArrives(let id, let request, let callDeadline):
            try sendToProvider(request, booking: id, callDeadline: callDeadline)
        }
    }

    mutating func charge(_ id: String) async throws {
        let booking = try #require(bookings[id])
        let command = try ChargeCommand.validated(
            bookingID: id, amountMinor: booking.amount.amountMinor, currencyCode: booking.amount.currency.code,
            paymentToken: booking.token.rawValue, deadline: booking.deadline)
        let existing = await store.payment(.bookingID(id))
        switch ChargeDecision(command, existing: existing, newPaymentID: "pay-\(id)", at: now, policy: policy) {
        case .reject(let error):
            #expect(error.code == .aborted, "only an in-flight retry is refused: \(error)")
            stats.abortedRetries += 1
        case .answer(let payment):
            #expect(payment.id == "pay-\(id)")
            stats.answeredRetries += 1
        case .callProvider(let payment, let call):
            #expect(await store.insert(payment) == nil)
            let request = CreateChargeRequest(idempotencyKey: call.idempotencyKey, amount: call.amount.amountMinor,
                                              currency: call.amount.currency.code, paymentToken: call.paymentToken, metadata: call.metadata)
            let callDeadline = now.adding(seconds: call.timeout)
            if random.chance(0.05) {
                // The service dies while the call is out: neither its answer nor its timeout is applied.
                crashed.insert(id)
                stats.crashedCalls += 1
            }
            if random.chance(0.05) {
                // Held up in the network: it reaches the provider after the caller gave up — usually
                // within the reconciler's not-found grace, sometimes after it (when a webhook will
                // tell; with a lost webhook such a charge would go unnoticed, see the report).
                stats.lateRequests += 1
                let veryLate = booking.token.behaviour.webhook != .lost && random.chance(0.5)
                let delay = veryLate ? Double.random(in: 160..<260, using: &random) : Double.random(in: 35..<120, using: &random)
                schedule(.requestArrives(booking: id, request: request, callDeadline: callDeadline), at: now.plus(delay))
                if !crashed.contains(id) { schedule(.callTimeout(id), at: callDeadline) }
                return
            }
            if try sendToProvider(request, booking: id, callDeadline: callDeadline), !crashed.contains(id) {
                schedule(.callTimeout(id), at: callDeadline)
            } else if !crashed.contains(id), !callSettled.contains(id) {
                // An outage: the service cannot know whether it charged, so the payment stays PENDING.
                callSettled.insert(id)
                try await apply(.chargeUnanswered, to: id)
            }
        }
    }

    /// Hands a CreateCharge to the provider; false when the provider refused it (an outage).
    @discardableResult
    mutating func sendToProvider(_ request: CreateChargeRequest, booking id: String, callDeadline: Date) throws -> Bool {
        switch ledger.createCharge(request, at: now) {
        case .answerLater(let chargeID, let answerAt):
            schedule(.providerAnswer(booking: id, chargeID: chargeID, callDeadline: callDeadline), at: answerAt)
            return true
        case .answerNow(let charge):
            Issue.record("a new key answered from the idempotency record: \(charge)")
            return true
        case .reject(let error):
            #expect(error.code == .unavailable)
            stats.providerOutages += 1
            return false
        }
    }

    mutating func apply(_ event: PaymentEvent, to bookingID: String) async throws {
        let payment = try #require(await store.payment(.bookingID(bookingID)))
        let transition = payment.apply(event, at: now, policy: policy)
        if case .contradicted = transition.effect { contradictions.append("\(bookingID): \(event)") }
        #expect(await store.commit(transition, processedEventID: nil))
    }

    mutating func reconcile() async throws {
        for payment in await store.paymentsToReconcile(at: now, policy: policy.reconciler, limit: 1000) {
            for action in ReconcilerSchedule.actions(for: payment, at: now, policy: policy.reconciler) {
                switch action {
                case .raiseOverdueAlert:
                    stats.alerts += 1
                    try await apply(.overdueAlertRaised, to: payment.bookingID)
                case .checkProvider(let key):
                    let lookup: ProviderLookup
                    if random.chance(0.1) {
                        lookup = .unavailable
                    } else {
                        do {
                            let charge = try ledger.charge(.idempotencyKey(key))
                            lookup = chargeResult(charge).map(ProviderLookup.found) ?? .processing
                        } catch {
                            #expect(error.code == .notFound)
                            lookup = .notFound
                        }
                    }
                    let before = await store.payment(.bookingID(payment.bookingID))?.status
                    try await apply(.providerChecked(lookup), to: payment.bookingID)
                    if before == .pending, await store.payment(.bookingID(payment.bookingID))?.status != .pending {
                        stats.reconcilerResolutions += 1
                    }
                }
            }
        }
    }

    /// True when nothing is left to happen.
    func settled() async throws -> Bool {
        guard queue.isEmpty, ledger.webhooks.nextDueDate == nil, ledger.dueCompletions(at: now.plus(1_000_000)).isEmpty else { return false }
        guard bookings.values.allSatisfy({ !$0.wantsRefund || $0.refundDone }) else { return false }
        let payments = await store.allPayments
        guard !payments.contains(where: { $0.status == .pending }) else { return false }
        return await store.allNotifications.allSatisfy { $0.acknowledgedAt != nil }
    }
}

extension Date {
    /// This instant plus a `Duration`.
    func adding(seconds duration: Duration) -> Date {
        let (seconds, attoseconds) = duration.components
        return addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }
}
