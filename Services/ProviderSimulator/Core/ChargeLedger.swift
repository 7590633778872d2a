public import Foundation

/// The simulator's Stripe-like ledger of charges and refunds, with its own idempotency and the
/// webhook outbox its events feed.
///
/// A value type with no I/O: time and randomness are inputs (the random generator is seeded), so a
/// run replays exactly. The server wraps it in one isolation domain (an actor or a lock) and
/// turns ``CreateChargeDecision/answerLater(chargeID:answerAt:)`` into a wait before
/// ``completeCharge(id:at:)``.
public struct ChargeLedger: Sendable {
    /// What the server must do with a CreateCharge.
    public enum CreateChargeDecision: Sendable, Hashable {
        /// A new charge was recorded as processing: at `answerAt`, call ``completeCharge(id:at:)``
        /// and answer with the charge it returns. `answerAt` is past the caller's timeout for the
        /// `tok_timeout_*` tokens.
        case answerLater(chargeID: String, answerAt: Date)
        /// The same key and parameters as a finished charge: answer with it now.
        case answerNow(Charge)
        /// Answer with this error; nothing was recorded.
        case reject(ProviderError)
    }

    /// The latency, rates and delays this ledger uses.
    public let configuration: SimulatorConfiguration
    /// Deliveries of the events this ledger emitted.
    public private(set) var webhooks = WebhookOutbox()

    private var random: SeededRandom
    private var charges: [String: Charge] = [:]
    private var chargeRequests: [String: CreateChargeRequest] = [:]
    private var chargeIDsByKey: [String: String] = [:]
    private var answerDates: [String: Date] = [:]
    private var refunds: [String: Refund] = [:]
    private var refundRequests: [String: CreateRefundRequest] = [:]
    private var refundIDsByKey: [String: String] = [:]
    private var eventCounts: [String: Int64] = [:]
    private var nextNumber = 1
    /// Put in every id (`ch_sim_<tag>_00000001`): distinguishes this ledger's ids from those of an
    /// earlier process, since a simulator restarted after a crash forgets its charges but must never
    /// hand out an id a payment already recorded, just as a real provider never reuses one.
    private let idTag: String

    /// An empty ledger; `seed` fixes every latency and simulated error it draws.
    ///
    /// - Parameter idTag: put in every id; a process passes ``freshIDTag()`` so that its ids differ
    ///   from any earlier run's; the default (none) keeps seeded simulations identical on replay.
    public init(configuration: SimulatorConfiguration = SimulatorConfiguration(), seed: UInt64 = 0, idTag: String = "") {
        self.configuration = configuration
        self.random = SeededRandom(seed: seed)
        self.idTag = idTag.isEmpty ? "" : idTag + "_"
    }

    /// A tag no earlier run is likely to have used (32 random bits, hex).
    public static func freshIDTag() -> String {
        String(UInt32.random(in: 0x1000_0000...UInt32.max), radix: 16)
    }

    // MARK: Charges

    /// Records a CreateCharge, or answers it from the idempotency record.
    ///
    /// Same key and parameters as an earlier request → that charge (ABORTED-class `conflict` while
    /// it is still processing); same key, other parameters → `invalidArgument` naming the fields that
    /// differ. Unknown tokens and bad amounts or currencies are `invalidArgument`. With
    /// probability `errorRate`, `unavailable` and nothing recorded.
    ///
    /// `callerDeadline` is when the caller gives up (its gRPC deadline), if it said: the
    /// `tok_timeout_*` tokens then answer `lateAnswerMargin` after it, so the answer never arrives
    /// while the caller still waits; without one they answer after the configured caller timeout.
    public mutating func createCharge(_ request: CreateChargeRequest, at now: Date,
                                      callerDeadline: Date? = nil) -> CreateChargeDecision {
        guard !request.idempotencyKey.isEmpty else {
            return .reject(ProviderError(.invalidArgument, "idempotency_key is required"))
        }
        if let id = chargeIDsByKey[request.idempotencyKey], let charge = charges[id] {
            let earlier = chargeRequests[id] ?? request
            let differing = Self.differingFields(earlier, request)
            guard differing.isEmpty else {
                return .reject(ProviderError(.invalidArgument,
                    "idempotency key \"\(request.idempotencyKey)\" was used with other parameters (\(differing.joined(separator: ", ")) differ)"))
            }
            guard charge.status != .processing else {
                return .reject(ProviderError(.conflict,
                    "a request with idempotency key \"\(request.idempotencyKey)\" is still being processed"))
            }
            return .answerNow(charge)
        }
        guard request.amount > 0 else {
            return .reject(ProviderError(.invalidArgument, "amount must be positive minor units, got \(request.amount)"))
        }
        guard request.currency.utf8.count == 3, request.currency.utf8.allSatisfy({ (0x41...0x5A).contains($0) }) else {
            return .reject(ProviderError(.invalidArgument,
                "currency must be a three-letter upper-case ISO 4217 code, got \"\(request.currency)\""))
        }
        guard let token = TestToken(rawValue: request.paymentToken) else {
            let known = TestToken.allCases.map(\.rawValue).joined(separator: ", ")
            return .reject(ProviderError(.invalidArgument, "unknown payment token \"\(request.paymentToken)\"; test tokens are \(known)"))
        }
        if random.chance(configuration.errorRate) {
            return .reject(ProviderError(.unavailable, "simulated provider outage; nothing was recorded, retry with the same key"))
        }
        let id = makeID("ch")
        charges[id] = Charge(
            id: id, idempotencyKey: request.idempotencyKey, amount: request.amount, currency: request.currency,
            status: .processing, paymentToken: request.paymentToken, metadata: request.metadata, createdAt: now)
        chargeRequests[id] = request
        chargeIDsByKey[request.idempotencyKey] = id
        let answerAt: Date
        switch token.behaviour.answer {
        case .promptly:
            answerAt = now.adding(drawLatency())
        case .afterCallerTimeout:
            let givesUpAt = callerDeadline ?? now.adding(configuration.callerTimeout)
            answerAt = max(givesUpAt, now).adding(configuration.lateAnswerMargin)
        }
        answerDates[id] = answerAt
        return .answerLater(chargeID: id, answerAt: answerAt)
    }

    /// Finishes a processing charge as its token says and schedules its webhook; returns the charge.
    ///
    /// Idempotent: a finished charge is returned unchanged. Call it at (or after) the `answerAt`
    /// of ``CreateChargeDecision/answerLater(chargeID:answerAt:)``; ``dueCompletions(at:)`` lists the
    /// charges whose answer is due, for a server that restarts its waits.
    @discardableResult
    public mutating func completeCharge(id: String, at now: Date) -> Charge? {
        guard var charge = charges[id] else { return nil }
        guard charge.status == .processing, let token = TestToken(rawValue: charge.paymentToken) else { return charge }
        let behaviour = token.behaviour
        switch behaviour.outcome {
        case .succeed:
            charge.status = .succeeded
        case .decline(let code):
            charge.status = .failed
            charge.failureCode = code
        case .notCharged:
            charge.status = .failed
            charge.failureCode = .processingError
        }
        charges[id] = charge
        answerDates[id] = nil
        emit(charge.status == .succeeded ? .chargeSucceeded : .chargeFailed, payload: .charge(charge),
             chargeID: id, behaviour: behaviour.webhook, at: now)
        return charge
    }

    /// Completes every processing charge whose answer is due at `now` (see
    /// ``completeCharge(id:at:)``); returns them, earliest due first. A server calls it before
    /// reading the ledger, so a charge whose caller went away still finishes on time.
    @discardableResult
    public mutating func completeDueCharges(at now: Date) -> [Charge] {
        dueCompletions(at: now).compactMap { completeCharge(id: $0, at: now) }
    }

    /// When the processing charge `id` is due to be answered; nil once it is finished or unknown.
    public func answerDate(ofCharge id: String) -> Date? { answerDates[id] }

    /// Ids of processing charges whose answer is due at `now`, earliest first.
    public func dueCompletions(at now: Date) -> [String] {
        answerDates.filter { $0.value <= now }.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
    }

    /// When the next processing charge is due to be answered; nil when none is processing.
    public var nextAnswerDate: Date? { answerDates.values.min() }

    /// When the ledger next has work: the earliest due charge answer or webhook attempt; nil when
    /// idle. A server sleeps until then (or until a request arrives).
    public var nextDueDate: Date? {
        [answerDates.values.min(), webhooks.nextDueDate].compactMap { $0 }.min()
    }

    /// GetCharge: by id or by idempotency key. A charge still processing has status `.processing`.
    public func charge(_ lookup: ChargeLookup) throws(ProviderError) -> Charge {
        switch lookup {
        case .chargeID(let id):
            guard let charge = charges[id] else { throw ProviderError(.notFound, "no charge with id \"\(id)\"") }
            return charge
        case .idempotencyKey(let key):
            guard let id = chargeIDsByKey[key], let charge = charges[id] else {
                throw ProviderError(.notFound, "no charge with idempotency key \"\(key)\"")
            }
            return charge
        }
    }

    /// Every charge, oldest first (for invariant checks).
    public var allCharges: [Charge] {
        charges.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    // MARK: Refunds

    /// CreateRefund: refunds `amount` (0 = everything left) of a succeeded charge.
    ///
    /// Idempotent by key (same key and parameters → the same refund; other parameters →
    /// `invalidArgument`). Never refunds more than was captured: asking for more than is left is
    /// `failedPrecondition`, as is refunding a charge that did not succeed.
    public mutating func createRefund(_ request: CreateRefundRequest, at now: Date) throws(ProviderError) -> Refund {
        guard !request.idempotencyKey.isEmpty else {
            throw ProviderError(.invalidArgument, "idempotency_key is required")
        }
        if let id = refundIDsByKey[request.idempotencyKey], let refund = refunds[id] {
            guard refundRequests[id] == request else {
                throw ProviderError(.invalidArgument,
                    "idempotency key \"\(request.idempotencyKey)\" was used for another refund")
            }
            return refund
        }
        guard request.amount >= 0 else {
            throw ProviderError(.invalidArgument, "refund amount must not be negative, got \(request.amount)")
        }
        guard var charge = charges[request.chargeID] else {
            throw ProviderError(.notFound, "no charge with id \"\(request.chargeID)\"")
        }
        guard charge.status == .succeeded else {
            throw ProviderError(.failedPrecondition, "charge \(charge.id) is \(charge.status.rawValue); only a succeeded charge can be refunded")
        }
        let left = charge.refundableAmount
        let amount = request.amount == 0 ? left : request.amount
        guard amount > 0 else {
            throw ProviderError(.failedPrecondition, "charge \(charge.id) is already fully refunded")
        }
        guard amount <= left else {
            throw ProviderError(.failedPrecondition,
                "refund of \(amount) exceeds the \(left) minor units still refundable on charge \(charge.id)")
        }
        let refund = Refund(id: makeID("re"), chargeID: charge.id, amount: amount, currency: charge.currency,
                            reason: request.reason, createdAt: now)
        charge.amountRefunded += amount
        charges[charge.id] = charge
        refunds[refund.id] = refund
        refundRequests[refund.id] = request
        refundIDsByKey[request.idempotencyKey] = refund.id
        let behaviour = TestToken(rawValue: charge.paymentToken)?.behaviour.webhook ?? .prompt
        emit(.chargeRefunded, payload: .refund(refund), chargeID: charge.id, behaviour: behaviour, at: now)
        return refund
    }

    /// Every refund, oldest first (for invariant checks).
    public var allRefunds: [Refund] {
        refunds.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    // MARK: Webhooks

    /// Records the answer to a webhook delivery attempt (see ``WebhookOutbox/recordAttempt(_:acknowledged:at:retry:)``).
    public mutating func recordDelivery(_ deliveryID: String, acknowledged: Bool, at now: Date) {
        webhooks.recordAttempt(deliveryID, acknowledged: acknowledged, at: now, retry: configuration.webhookRetry)
    }

    // MARK: Private

    private mutating func emit(
        _ kind: WebhookEvent.Kind, payload: WebhookEvent.Payload, chargeID: String,
        behaviour: TokenBehaviour.Webhook, at now: Date
    ) {
        let sequence = (eventCounts[chargeID] ?? 0) + 1
        eventCounts[chargeID] = sequence
        let event = WebhookEvent(id: makeID("evt"), kind: kind, createdAt: now, sequence: sequence, payload: payload)
        webhooks.schedule(event, behaviour: behaviour, at: now, configuration: configuration)
    }

    private mutating func drawLatency() -> Duration {
        let jitter = configuration.latencyJitter
        guard jitter > .zero else { return configuration.baseLatency }
        let fraction = Double.random(in: 0...1, using: &random)
        return configuration.baseLatency + jitter * fraction
    }

    private mutating func makeID(_ prefix: String) -> String {
        defer { nextNumber += 1 }
        let digits = String(nextNumber)
        return prefix + "_sim_" + idTag + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    private static func differingFields(_ a: CreateChargeRequest, _ b: CreateChargeRequest) -> [String] {
        var fields: [String] = []
        if a.amount != b.amount { fields.append("amount") }
        if a.currency != b.currency { fields.append("currency") }
        if a.paymentToken != b.paymentToken { fields.append("payment_token") }
        if a.metadata != b.metadata { fields.append("metadata") }
        if a.description != b.description { fields.append("description") }
        return fields
    }
}
