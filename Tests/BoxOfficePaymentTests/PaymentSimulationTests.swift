import BoxOfficePayment
import BoxOfficeProviderSimulator
import Foundation
import Testing

/// A seeded simulation of many charges against the provider simulator, with random tokens, provider
/// outages, timeouts, crashes during the provider call, lost / duplicated / out-of-order / replayed
/// webhooks, lost acknowledgements, client retries, refunds and reconciler runs — all driven through
/// the payment core's pure decisions on a fake clock. A failing seed replays identically.
@Suite("Payment: seeded simulation of the money invariants")
struct PaymentSimulationTests {
    @Test("every seed converges with each booking charged at most once and captured = confirmed + refunded",
          arguments: 1...8)
    func simulation(seed: UInt64) async throws {
        var world = PaymentWorld(seed: seed, bookings: 120)
        try await world.run()
        try await world.checkInvariants()
    }

    @Test("the simulation exercises every token and every fault")
    func coverage() async throws {
        var totals = PaymentWorld.Stats()
        var tokens: Set<TestToken> = []
        for seed in UInt64(100)...UInt64(103) {
            var world = PaymentWorld(seed: seed, bookings: 120)
            try await world.run()
            try await world.checkInvariants()
            totals.add(world.stats)
            tokens.formUnion(world.bookings.values.map(\.token))
        }
        #expect(tokens == Set(TestToken.allCases))
        #expect(totals.abortedRetries > 0)
        #expect(totals.answeredRetries > 0)
        #expect(totals.timeouts > 0)
        #expect(totals.crashedCalls > 0)
        #expect(totals.providerOutages > 0)
        #expect(totals.reconcilerResolutions > 0)
        #expect(totals.duplicateWebhooks > 0)
        #expect(totals.rejectedSignatures > 0)
        #expect(totals.replaysRefused > 0)
        #expect(totals.lostRefundAnswers > 0)
        #expect(totals.redeliveredNotifications > 0)
        #expect(totals.refunds > 0)
        #expect(totals.lateRequests > 0)
        #expect(totals.orphanRefunds > 0)
    }

    @Test("a seed replays identically")
    func deterministic() async throws {
        var first = PaymentWorld(seed: 77, bookings: 60)
        try await first.run()
        var second = PaymentWorld(seed: 77, bookings: 60)
        try await second.run()
        #expect(await first.store.allPayments == second.store.allPayments)
        #expect(first.stats == second.stats)
        #expect(first.finishedAt == second.finishedAt)
    }
}

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
            if random.chance(0.02) { try replayOldWebhook() }
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

    mutating func deliverWebhooks() async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for delivery in ledger.webhooks.due(at: now) {
            if random.chance(0.15) {
                ledger.recordDelivery(delivery.id, acknowledged: false, at: now) // receiver unreachable
                continue
            }
            var payload = Array(try encoder.encode(delivery.event))
            let header = signer.signatureHeader(for: payload, at: now)
            if random.chance(0.03) {
                // Tampered in transit: refused, and the provider tries again.
                payload[payload.count / 2] ^= 0x04
                #expect(throws: WebhookVerificationError.signatureMismatch) {
                    try verifier.verify(payload: payload, signatureHeader: header, at: now)
                }
                stats.rejectedSignatures += 1
                ledger.recordDelivery(delivery.id, acknowledged: false, at: now)
                continue
            }
            try verifier.verify(payload: payload, signatureHeader: header, at: now)
            signedDeliveries.append((payload, header, now))
            let accepted = try await receive(payload)
            ledger.recordDelivery(delivery.id, acknowledged: accepted && !random.chance(0.1), at: now)
        }
    }

    /// The webhook receiver after verification: decode, deduplicate, apply.
    mutating func receive(_ payload: [UInt8]) async throws -> Bool {
        let decoded = try JSONDecoder().decode(WebhookEvent.self, from: Data(payload))
        let event = providerWebhookEvent(decoded)
        let lookup = try #require(event.paymentLookup)
        let payment = await store.payment(lookup)
        let processed = await store.isEventProcessed(event.id)
        switch WebhookIntakeDecision(event, payment: payment, alreadyProcessed: processed, at: now, policy: policy) {
        case .duplicate:
            stats.duplicateWebhooks += 1
            return true
        case .unknownPayment:
            Issue.record("webhook for an unknown payment: \(event)")
            return false
        case .apply(let transition):
            if let orphan = transition.orphanChargeRefund {
                // Refund first, then record the event: a crash in between redelivers and retries.
                let refund = try ledger.createRefund(CreateRefundRequest(
                    chargeID: orphan.chargeID, amount: orphan.amount, idempotencyKey: orphan.idempotencyKey, reason: orphan.reason), at: now)
                #expect(refund.amount == orphan.amount)
                if orphanCharges.insert(orphan.chargeID).inserted { stats.orphanRefunds += 1 }
            } else if case .contradicted = transition.effect {
                contradictions.append("webhook \(event)")
            }
            #expect(await store.commit(transition, processedEventID: event.id))
            return true
        }
    }

    /// An attacker (or a confused proxy) replays an earlier signed delivery.
    mutating func replayOldWebhook() throws {
        guard !signedDeliveries.isEmpty else { return }
        let old = signedDeliveries[Int.random(in: 0..<signedDeliveries.count, using: &random)]
        if now.timeIntervalSince(old.signedAt) > 300 {
            #expect(throws: WebhookVerificationError.timestampTooOld(signedAt: Date(timeIntervalSince1970: old.signedAt.timeIntervalSince1970.rounded(.down)), tolerance: .seconds(300))) {
                try verifier.verify(payload: old.payload, signatureHeader: old.header, at: now)
            }
            stats.replaysRefused += 1
        }
        // A replay inside the window verifies, and deduplication makes it harmless (checked by the
        // invariants); it is not applied here to keep the provider's view the only source of events.
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

    /// The outbox deliverer, with booking as the receiver (deduplicating by notification id).
    mutating func deliverNotifications() async throws {
        for var notification in await store.notificationsDue(at: now, limit: 1000) {
            if notification.failedAttempts > 0 { stats.redeliveredNotifications += 1 }
            if random.chance(0.2) {
                notification.deliveryFailed(at: now, retry: policy.notificationRetry)
                await store.updateNotification(notification)
                continue
            }
            var booking = try #require(bookings[notification.bookingID])
            if !booking.received.contains(notification.id) {
                booking.received.append(notification.id)
                switch notification.status {
                case .captured:
                    // Most captured payments become tickets; some cannot (seats lost) and are refunded.
                    if random.chance(0.8) { booking.confirmed = true } else { booking.wantsRefund = true }
                case .refunded, .declined, .notCharged, .pending:
                    break
                }
                bookings[booking.id] = booking
            }
            if random.chance(0.1) {
                notification.deliveryFailed(at: now, retry: policy.notificationRetry) // the ack was lost
            } else {
                notification.acknowledge(at: now)
            }
            await store.updateNotification(notification)
        }
    }

    /// Booking asks for the refunds it needs, retrying with the same key until the payment is REFUNDED.
    mutating func requestRefunds() async throws {
        for id in bookings.keys.sorted() where bookings[id]!.wantsRefund && !bookings[id]!.refundDone {
            guard random.chance(0.5) else { continue }
            let payment = await store.payment(.bookingID(id))
            let command = RefundCommand(bookingID: id, reason: "seats could not be confirmed", idempotencyKey: "refund-\(id)")
            switch RefundDecision(command, payment: payment) {
            case .answer(let payment):
                #expect(payment.status == .refunded)
                bookings[id]!.refundDone = true
            case .reject(let error):
                Issue.record("refund refused: \(error)")
            case .callProvider(let call):
                let refund = try ledger.createRefund(
                    CreateRefundRequest(chargeID: call.chargeID, amount: call.amount, idempotencyKey: call.idempotencyKey, reason: call.reason), at: now)
                if random.chance(0.2) {
                    stats.lostRefundAnswers += 1 // the answer never arrives; booking retries with the same key
                    continue
                }
                stats.refunds += 1
                try await apply(.refundAnswered(ProviderRefund(refundID: refund.id, chargeID: refund.chargeID, amount: refund.amount,
                                                               reason: refund.reason, idempotencyKey: call.idempotencyKey)), to: id)
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

    // MARK: Invariants

    func checkInvariants() async throws {
        #expect(contradictions.isEmpty, "\(contradictions)")
        let payments = await store.allPayments
        let charges = ledger.allCharges
        // Each booking charged at most once.
        var chargesPerBooking: [String: Int] = [:]
        for charge in charges {
            let booking = try #require(charge.metadata["booking_id"])
            chargesPerBooking[booking, default: 0] += 1
        }
        #expect(chargesPerBooking.values.allSatisfy { $0 == 1 })
        #expect(payments.count == bookings.count, "every booking has exactly one payment")
        #expect(!payments.contains { $0.status == .pending })

        for payment in payments {
            let booking = try #require(bookings[payment.bookingID])
            let charge = try? ledger.charge(.idempotencyKey(payment.providerIdempotencyKey))
            switch payment.status {
            case .captured, .refunded:
                #expect(charge?.status == .succeeded, "\(payment.bookingID)")
                #expect(charge?.id == payment.providerChargeID)
                #expect(charge?.amountRefunded == payment.refundedAmount)
                #expect(charge?.amount == payment.amount.amountMinor)
            case .declined:
                #expect(charge?.status == .failed)
                #expect([TestToken.declineCard, .declineFunds].contains(booking.token))
            case .notCharged:
                if let charge, charge.status == .succeeded {
                    // Charged by a request that arrived too late: refunded in full.
                    #expect(orphanCharges.contains(charge.id))
                    #expect(charge.amountRefunded == charge.amount)
                } else {
                    #expect(charge == nil || charge?.status == .failed)
                }
            case .pending:
                Issue.record("PENDING left: \(payment.bookingID)")
            }
            // Booking heard exactly one first outcome, and REFUNDED exactly when it asked for a refund.
            let firsts = booking.received.filter { !$0.hasSuffix("/REFUNDED") }
            #expect(firsts.count == 1, "\(booking.id) got \(booking.received)")
            #expect(firsts.first == "\(payment.id)/\(payment.status == .refunded ? "CAPTURED" : payment.status.rawValue)")
            #expect(booking.received.contains("\(payment.id)/REFUNDED") == booking.wantsRefund)
            #expect((payment.status == .refunded) == booking.wantsRefund)
            #expect(booking.confirmed == (payment.status == .captured))
        }

        // Money, per currency: captured = confirmed + refunded, at the provider and in payments.
        var captured: [String: Int64] = [:]
        var refunded: [String: Int64] = [:]
        var confirmed: [String: Int64] = [:]
        for charge in charges where charge.status == .succeeded { captured[charge.currency, default: 0] += charge.amount }
        for refund in ledger.allRefunds { refunded[refund.currency, default: 0] += refund.amount }
        for booking in bookings.values where booking.confirmed {
            confirmed[booking.amount.currency.code, default: 0] += booking.amount.amountMinor
        }
        for currency in Set(captured.keys).union(refunded.keys).union(confirmed.keys) {
            #expect(captured[currency, default: 0] == confirmed[currency, default: 0] + refunded[currency, default: 0], "\(currency)")
        }
        var paymentRefunded: [String: Int64] = [:]
        for payment in payments { paymentRefunded[payment.amount.currency.code, default: 0] += payment.refundedAmount }
        var bookingRefunds: [String: Int64] = [:]
        for refund in ledger.allRefunds where !orphanCharges.contains(refund.chargeID) {
            bookingRefunds[refund.currency, default: 0] += refund.amount
        }
        #expect(paymentRefunded.filter { $0.value != 0 } == bookingRefunds.filter { $0.value != 0 })
    }
}

extension Date {
    /// This instant plus a `Duration`.
    func adding(seconds duration: Duration) -> Date {
        let (seconds, attoseconds) = duration.components
        return addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }
}
