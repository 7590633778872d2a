import BoxOfficeProviderSimulator
import Foundation
import Testing

@Suite("Provider simulator: ledger idempotency, lookups and refunds")
struct ProviderLedgerTests {
    let request = CreateChargeRequest(idempotencyKey: "key-1", amount: 1000, currency: "USD",
                                      paymentToken: "tok_approve", metadata: ["booking_id": "b-1"], description: "2 seats")

    /// A ledger holding one finished charge made from `request` with `token`.
    func ledgerWithCharge(_ token: TestToken = .approve) throws -> (ChargeLedger, Charge) {
        var ledger = ChargeLedger(seed: 7)
        var request = request
        request.paymentToken = token.rawValue
        guard case .answerLater(let id, let answerAt) = ledger.createCharge(request, at: t0) else {
            throw ProviderError(.unavailable, "expected a processing charge")
        }
        let completed = ledger.completeCharge(id: id, at: answerAt)
        let charge = try #require(completed)
        return (ledger, charge)
    }

    @Test("a restarted simulator (a new ledger with the same seed and a fresh tag) never reuses a charge id")
    func idsSurviveRestart() throws {
        func firstChargeID(tag: String) -> String? {
            var ledger = ChargeLedger(seed: 7, idTag: tag)
            guard case .answerLater(let id, _) = ledger.createCharge(request, at: t0) else { return nil }
            return id
        }
        let first = try #require(firstChargeID(tag: ChargeLedger.freshIDTag()))
        let afterRestart = try #require(firstChargeID(tag: ChargeLedger.freshIDTag()))
        #expect(first.hasPrefix("ch_sim_"))
        #expect(first != afterRestart)
        #expect(firstChargeID(tag: "") == "ch_sim_00000001", "untagged ledgers replay identically")
    }

    @Test("same key and parameters: the same charge, nothing new recorded")
    func sameKeySameParameters() throws {
        var (ledger, charge) = try ledgerWithCharge()
        let again = ledger.createCharge(request, at: t0.plus(60))
        #expect(again == .answerNow(charge))
        #expect(ledger.allCharges == [charge])
        #expect(ledger.webhooks.all.count == 1, "a replay sends no new event")
    }

    @Test("same key, other parameters: INVALID_ARGUMENT naming the fields",
          arguments: ["amount", "currency", "payment_token", "metadata", "description"])
    func sameKeyOtherParameters(field: String) throws {
        var (ledger, charge) = try ledgerWithCharge()
        var other = request
        switch field {
        case "amount": other.amount = 2000
        case "currency": other.currency = "EUR"
        case "payment_token": other.paymentToken = "tok_decline_card"
        case "metadata": other.metadata = [:]
        default: other.description = "3 seats"
        }
        let decision = ledger.createCharge(other, at: t0.plus(1))
        guard case .reject(let error) = decision else {
            Issue.record("expected a rejection, got \(decision)")
            return
        }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("other parameters"))
        #expect(error.message.contains("(\(field) differ)"))
        #expect(ledger.allCharges == [charge], "nothing changed")
    }

    @Test("a key still in flight is a conflict; after the answer it replays")
    func inFlightConflict() throws {
        var ledger = ChargeLedger(seed: 1)
        guard case .answerLater(let id, let answerAt) = ledger.createCharge(request, at: t0) else {
            Issue.record("expected processing")
            return
        }
        let retry = ledger.createCharge(request, at: t0.plus(0.01))
        guard case .reject(let error) = retry else {
            Issue.record("expected conflict, got \(retry)")
            return
        }
        #expect(error.code == .conflict)
        let completed = ledger.completeCharge(id: id, at: answerAt)
        let charge = try #require(completed)
        let replay = ledger.createCharge(request, at: answerAt.plus(1))
        #expect(replay == .answerNow(charge))
        // Completing again changes nothing and sends nothing.
        #expect(ledger.completeCharge(id: id, at: answerAt.plus(2)) == charge)
        #expect(ledger.webhooks.all.count == 1)
    }

    @Test("bad CreateCharge input is INVALID_ARGUMENT and records nothing", arguments: [
        (CreateChargeRequest(idempotencyKey: "", amount: 100, currency: "USD", paymentToken: "tok_approve"), "idempotency_key is required"),
        (CreateChargeRequest(idempotencyKey: "k", amount: 0, currency: "USD", paymentToken: "tok_approve"), "amount must be positive"),
        (CreateChargeRequest(idempotencyKey: "k", amount: -5, currency: "USD", paymentToken: "tok_approve"), "got -5"),
        (CreateChargeRequest(idempotencyKey: "k", amount: 100, currency: "usd", paymentToken: "tok_approve"), "three-letter upper-case"),
        (CreateChargeRequest(idempotencyKey: "k", amount: 100, currency: "USDX", paymentToken: "tok_approve"), "three-letter upper-case"),
        (CreateChargeRequest(idempotencyKey: "k", amount: 100, currency: "USD", paymentToken: "tok_visa"), "unknown payment token \"tok_visa\"; test tokens are tok_approve"),
    ])
    func badInput(request: CreateChargeRequest, message: String) {
        var ledger = ChargeLedger(seed: 1)
        let decision = ledger.createCharge(request, at: t0)
        guard case .reject(let error) = decision else {
            Issue.record("expected a rejection, got \(decision)")
            return
        }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains(message), "\(error.message)")
        #expect(ledger.allCharges.isEmpty)
    }

    @Test("GetCharge by id and by key; unknown ones are NOT_FOUND")
    func lookups() throws {
        let (ledger, charge) = try ledgerWithCharge()
        #expect(try ledger.charge(.chargeID(charge.id)) == charge)
        #expect(try ledger.charge(.idempotencyKey("key-1")) == charge)
        #expect(throws: ProviderError(.notFound, "no charge with id \"ch_nope\"")) { try ledger.charge(.chargeID("ch_nope")) }
        #expect(throws: ProviderError(.notFound, "no charge with idempotency key \"other\"")) {
            try ledger.charge(.idempotencyKey("other"))
        }
    }

    @Test("an error rate fails charges with UNAVAILABLE, records nothing, and replays from its seed")
    func errorRate() throws {
        func run(seed: UInt64) -> [Bool] {
            var ledger = ChargeLedger(configuration: SimulatorConfiguration(errorRate: 0.3), seed: seed)
            return (0..<200).map { index in
                let decision = ledger.createCharge(
                    CreateChargeRequest(idempotencyKey: "k\(index)", amount: 100, currency: "USD", paymentToken: "tok_approve"), at: t0)
                if case .reject(let error) = decision {
                    #expect(error.code == .unavailable)
                    #expect((try? ledger.charge(.idempotencyKey("k\(index)"))) == nil, "nothing recorded")
                    return true
                }
                return false
            }
        }
        let failures = run(seed: 42)
        #expect(failures == run(seed: 42), "same seed, same failures")
        #expect(failures != run(seed: 43))
        let count = failures.filter { $0 }.count
        #expect((30...90).contains(count), "about 30% of 200 fail, got \(count)")
        var never = ChargeLedger(configuration: SimulatorConfiguration(errorRate: 0), seed: 1)
        var always = ChargeLedger(configuration: SimulatorConfiguration(errorRate: 1), seed: 1)
        let ok = never.createCharge(request, at: t0)
        let failed = always.createCharge(request, at: t0)
        #expect(ok != .reject(ProviderError(.unavailable, "")))
        if case .reject(let error) = failed { #expect(error.code == .unavailable) } else { Issue.record("expected failure") }
    }

    @Test("latency is base plus seeded jitter")
    func latency() {
        let configuration = SimulatorConfiguration(baseLatency: .milliseconds(100), latencyJitter: .milliseconds(400))
        func delays(seed: UInt64) -> [Double] {
            var ledger = ChargeLedger(configuration: configuration, seed: seed)
            return (0..<50).compactMap { index in
                let request = CreateChargeRequest(idempotencyKey: "k\(index)", amount: 100, currency: "USD", paymentToken: "tok_approve")
                guard case .answerLater(_, let answerAt) = ledger.createCharge(request, at: t0) else { return nil }
                return answerAt.timeIntervalSince(t0)
            }
        }
        let first = delays(seed: 9)
        #expect(first.count == 50)
        #expect(first.allSatisfy { $0 >= 0.1 - 1e-9 && $0 <= 0.5 + 1e-9 })
        #expect(Set(first).count > 40, "jitter varies")
        #expect(first == delays(seed: 9))
    }

    // MARK: Refunds

    @Test("partial then full refunds, never more than captured")
    func partialAndFullRefunds() throws {
        var (ledger, charge) = try ledgerWithCharge()
        let first = try ledger.createRefund(CreateRefundRequest(chargeID: charge.id, amount: 300, idempotencyKey: "r1", reason: "one seat"), at: t0.plus(1))
        #expect(first.amount == 300)
        #expect(first.currency == "USD")
        #expect(try ledger.charge(.chargeID(charge.id)).amountRefunded == 300)
        #expect(throws: ProviderError(.failedPrecondition,
            "refund of 701 exceeds the 700 minor units still refundable on charge \(charge.id)")) {
            try ledger.createRefund(CreateRefundRequest(chargeID: charge.id, amount: 701, idempotencyKey: "r2"), at: t0.plus(2))
        }
        let rest = try ledger.createRefund(CreateRefundRequest(chargeID: charge.id, amount: 0, idempotencyKey: "r3"), at: t0.plus(3))
        #expect(rest.amount == 700)
        #expect(try ledger.charge(.chargeID(charge.id)).amountRefunded == 1000)
        #expect(throws: ProviderError(.failedPrecondition, "charge \(charge.id) is already fully refunded")) {
            try ledger.createRefund(CreateRefundRequest(chargeID: charge.id, idempotencyKey: "r4"), at: t0.plus(4))
        }
        #expect(ledger.allRefunds.map(\.amount) == [300, 700])
        #expect(ledger.webhooks.all.map(\.event.kind) == [.chargeSucceeded, .chargeRefunded, .chargeRefunded])
        #expect(ledger.webhooks.all.map(\.event.sequence) == [1, 2, 3])
    }

    @Test("refunds are idempotent by key; a key reused for another refund is INVALID_ARGUMENT")
    func refundIdempotency() throws {
        var (ledger, charge) = try ledgerWithCharge()
        let refund = try ledger.createRefund(CreateRefundRequest(chargeID: charge.id, amount: 400, idempotencyKey: "r1"), at: t0.plus(1))
        let again = try ledger.createRefund(CreateRefundRequest(chargeID: charge.id, amount: 400, idempotencyKey: "r1"), at: t0.plus(2))
        #expect(again == refund)
        #expect(try ledger.charge(.chargeID(charge.id)).amountRefunded == 400, "refunded once")
        #expect(throws: ProviderError(.invalidArgument, "idempotency key \"r1\" was used for another refund")) {
            try ledger.createRefund(CreateRefundRequest(chargeID: charge.id, amount: 500, idempotencyKey: "r1"), at: t0.plus(3))
        }
        #expect(ledger.allRefunds.count == 1)
    }

    @Test("refunding a failed, processing or unknown charge is refused", arguments: [TestToken.declineCard, .timeoutNoCharge])
    func refundRefused(token: TestToken) throws {
        var (ledger, charge) = try ledgerWithCharge(token)
        #expect(throws: ProviderError(.failedPrecondition, "charge \(charge.id) is failed; only a succeeded charge can be refunded")) {
            try ledger.createRefund(CreateRefundRequest(chargeID: charge.id, idempotencyKey: "r1"), at: t0.plus(1))
        }
        #expect(throws: ProviderError(.notFound, "no charge with id \"ch_x\"")) {
            try ledger.createRefund(CreateRefundRequest(chargeID: "ch_x", idempotencyKey: "r2"), at: t0.plus(1))
        }
        #expect(throws: ProviderError(.invalidArgument, "idempotency_key is required")) {
            try ledger.createRefund(CreateRefundRequest(chargeID: charge.id, idempotencyKey: ""), at: t0.plus(1))
        }
        #expect(throws: ProviderError(.invalidArgument, "refund amount must not be negative, got -1")) {
            try ledger.createRefund(CreateRefundRequest(chargeID: charge.id, amount: -1, idempotencyKey: "r3"), at: t0.plus(1))
        }
        var processing = ChargeLedger(seed: 1)
        guard case .answerLater(let id, _) = processing.createCharge(request, at: t0) else {
            Issue.record("expected processing")
            return
        }
        #expect(throws: ProviderError(.failedPrecondition, "charge \(id) is processing; only a succeeded charge can be refunded")) {
            try processing.createRefund(CreateRefundRequest(chargeID: id, idempotencyKey: "r1"), at: t0.plus(1))
        }
        #expect(ledger.allRefunds.isEmpty)
    }
}
