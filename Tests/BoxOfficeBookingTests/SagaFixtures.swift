import BoxOfficeBooking
import Testing

/// Shared values for the saga unit tests.
enum Fixture {
    static let policy = SagaPolicy()
    static let t0 = SagaInstant(millisecondsSinceEpoch: 1_700_000_000_000)
    static let holdTTL: Duration = .seconds(600)
    static let amount = Money(amountMinor: 12_500, currency: "USD")
    static let grant = HoldGrant(holdId: "hold-1", expiresAt: t0 + holdTTL, amount: amount)
    static let pinnedUntil = t0 + .seconds(900)
}

/// Drives a saga through events on a script clock, failing loudly if the machine refuses a step.
struct SagaScript {
    var saga: BookingSaga
    var now: SagaInstant
    var lastActions: [SagaAction]

    /// A fresh saga at `Fixture.t0` that has sent its HoldSeats.
    static func started() -> SagaScript {
        let (saga, actions) = BookingSaga.start(
            bookingId: "bk-1", userId: "user-1", eventId: 42, selection: .generalAdmission(poolCode: "floor", quantity: 2),
            now: Fixture.t0, policy: Fixture.policy)
        return SagaScript(saga: saga, now: Fixture.t0, lastActions: actions)
    }

    /// Applies `event` after `delay`.
    @discardableResult
    mutating func apply(_ event: SagaEvent, after delay: Duration = .zero) throws -> SagaTransition {
        now = now + delay
        let transition = try saga.handle(event, now: now, policy: Fixture.policy)
        lastActions = transition.actions
        return transition
    }

    /// Runs `steps` in order.
    func then(_ steps: (inout SagaScript) throws -> Void) rethrows -> SagaScript {
        var copy = self
        try steps(&copy)
        return copy
    }
}

/// One row of the transition tables: a reachable saga state, built by driving the machine, and the
/// instant the table's events arrive at.
enum SagaRow: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case hold, holdRetry = "hold~", held, heldExpired = "held!", pin, pinRetry = "pin~", chg, chgRetry = "chg~"
    case wait, waitRetry = "wait~", conf, confRetry = "conf~", rfnd, rfndRetry = "rfnd~"
    case relC, relCRetry = "relC~", relE, relERetry = "relE~", relF, relFRetry = "relF~"
    case REF, CONF, RFND, FAIL, EXP, CANC

    var testDescription: String { rawValue }

    /// The saga in this row's state, and when the table's events happen (3 s after the last step, so
    /// in-flight calls are not yet presumed lost, 100 ms retries and the 2 s first poll are due).
    func make() throws -> (saga: BookingSaga, now: SagaInstant) {
        let script = try build()
        let now = self == .heldExpired ? Fixture.grant.expiresAt + .seconds(1) : script.now + .seconds(3)
        return (script.saga, now)
    }

    /// The script that reached this row's state, its clock at the last step.
    func script() throws -> SagaScript { try build() }

    private func build() throws -> SagaScript {
        let start = SagaScript.started()
        switch self {
        case .hold: return start
        case .holdRetry: return try start.then { try $0.apply(.callFailed(.hold)) }
        case .held, .heldExpired: return try SagaRow.hold.build().then { try $0.apply(.holdAnswered(.granted(Fixture.grant))) }
        case .pin: return try SagaRow.held.build().then { try $0.apply(.checkoutRequested(paymentToken: "tok_visa")) }
        case .pinRetry: return try SagaRow.pin.build().then { try $0.apply(.callFailed(.pin)) }
        case .chg: return try SagaRow.pin.build().then { try $0.apply(.pinAnswered(.pinned(until: Fixture.pinnedUntil))) }
        case .chgRetry: return try SagaRow.chg.build().then { try $0.apply(.callFailed(.charge)) }
        case .waitRetry: return try SagaRow.chg.build().then { try $0.apply(.chargeAnswered(.pending)) }
        case .wait: return try SagaRow.waitRetry.build().then { try $0.apply(.timerFired, after: .seconds(2)) }
        case .conf: return try SagaRow.chg.build().then { try $0.apply(.chargeAnswered(.captured)) }
        case .confRetry: return try SagaRow.conf.build().then { try $0.apply(.callFailed(.confirm)) }
        case .rfnd: return try SagaRow.conf.build().then { try $0.apply(.confirmAnswered(.holdGone)) }
        case .rfndRetry: return try SagaRow.rfnd.build().then { try $0.apply(.callFailed(.refund)) }
        case .relC: return try SagaRow.held.build().then { try $0.apply(.cancelRequested) }
        case .relCRetry: return try SagaRow.relC.build().then { try $0.apply(.callFailed(.release)) }
        case .relE: return try SagaRow.held.build().then { try $0.apply(.timerFired, after: Fixture.holdTTL) }
        case .relERetry: return try SagaRow.relE.build().then { try $0.apply(.callFailed(.release)) }
        case .relF: return try SagaRow.chg.build().then { try $0.apply(.chargeAnswered(.declined)) }
        case .relFRetry: return try SagaRow.relF.build().then { try $0.apply(.callFailed(.release)) }
        case .REF: return try start.then { try $0.apply(.holdAnswered(.refused(reason: "sold out"))) }
        case .CONF: return try SagaRow.conf.build().then { try $0.apply(.confirmAnswered(.confirmed)) }
        case .RFND: return try SagaRow.rfnd.build().then { try $0.apply(.refundAnswered) }
        case .FAIL: return try SagaRow.relF.build().then { try $0.apply(.releaseAnswered) }
        case .EXP: return try SagaRow.relE.build().then { try $0.apply(.releaseAnswered) }
        case .CANC: return try SagaRow.relC.build().then { try $0.apply(.releaseAnswered) }
        }
    }
}

/// One column of the transition tables: an event (with the variants of its answer that matter).
enum SagaColumn: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case hG, hX, hR, co, ca, pP, pG
    case cP, cC, cD, cN, cR, qP, qC, qD, qN, qR, nP, nC, nD, nN, nR
    case fC, fG, rl, rf, t
    case xH, xP, xC, xQ, xF, xL, xR

    var testDescription: String { rawValue }

    /// The event, for a table row whose events arrive at `now`.
    func event(now: SagaInstant) -> SagaEvent {
        switch self {
        case .hG: .holdAnswered(.granted(Fixture.grant))
        case .hX: .holdAnswered(.granted(HoldGrant(holdId: "hold-1", expiresAt: now - .seconds(1), amount: Fixture.amount)))
        case .hR: .holdAnswered(.refused(reason: "sold out"))
        case .co: .checkoutRequested(paymentToken: "tok_visa")
        case .ca: .cancelRequested
        case .pP: .pinAnswered(.pinned(until: now + .seconds(900)))
        case .pG: .pinAnswered(.holdGone)
        case .cP: .chargeAnswered(.pending)
        case .cC: .chargeAnswered(.captured)
        case .cD: .chargeAnswered(.declined)
        case .cN: .chargeAnswered(.notCharged)
        case .cR: .chargeAnswered(.refunded)
        case .qP: .paymentPolled(.pending)
        case .qC: .paymentPolled(.captured)
        case .qD: .paymentPolled(.declined)
        case .qN: .paymentPolled(.notCharged)
        case .qR: .paymentPolled(.refunded)
        case .nP: .paymentNotified(.pending)
        case .nC: .paymentNotified(.captured)
        case .nD: .paymentNotified(.declined)
        case .nN: .paymentNotified(.notCharged)
        case .nR: .paymentNotified(.refunded)
        case .fC: .confirmAnswered(.confirmed)
        case .fG: .confirmAnswered(.holdGone)
        case .rl: .releaseAnswered
        case .rf: .refundAnswered
        case .t: .timerFired
        case .xH: .callFailed(.hold)
        case .xP: .callFailed(.pin)
        case .xC: .callFailed(.charge)
        case .xQ: .callFailed(.getPayment)
        case .xF: .callFailed(.confirm)
        case .xL: .callFailed(.release)
        case .xR: .callFailed(.refund)
        }
    }
}

extension SagaStep {
    /// The short names the transition tables use.
    static let byTableName: [String: SagaStep] = [
        "hold": .holdRequested, "held": .held, "pin": .pinning, "chg": .charging, "wait": .awaitingPayment,
        "conf": .confirming, "rfnd": .refunding, "relC": .releasing(.cancelled), "relE": .releasing(.expired),
        "relF": .releasing(.paymentFailed), "REF": .holdRefused, "CONF": .confirmed, "RFND": .refunded,
        "FAIL": .paymentFailed, "EXP": .expired, "CANC": .cancelled,
    ]
}
