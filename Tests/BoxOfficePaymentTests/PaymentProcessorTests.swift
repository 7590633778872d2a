import BoxOfficeAPI
import BoxOfficePayment
import BoxOfficeProto
import BoxOfficeProviderSimulator
import Foundation
import Logging
import Synchronization
import Testing

/// A provider whose answers a test sets, recording the calls it gets.
final class ScriptedProvider: PaymentProvider {
    struct Script {
        var charge: Result<ProviderChargeResult, ScriptedFailure> = .failure(ScriptedFailure())
        var lookup: ProviderLookup = .unavailable
        var chargeCalls: [ProviderChargeCall] = []
        var lookups = 0
        var refunds: [ProviderRefundCall] = []
        var refundsFail = false
    }

    struct ScriptedFailure: Error {}

    let script = Mutex(Script())

    func createCharge(_ call: ProviderChargeCall) async throws -> ProviderChargeResult {
        try script.withLock { script in
            script.chargeCalls.append(call)
            return try script.charge.get()
        }
    }

    func lookupCharge(idempotencyKey: String) async -> ProviderLookup {
        script.withLock { script in
            script.lookups += 1
            return script.lookup
        }
    }

    func createRefund(_ call: ProviderRefundCall) async throws -> ProviderRefund {
        try script.withLock { script in
            if script.refundsFail { throw ScriptedFailure() }
            script.refunds.append(call)
            return ProviderRefund(refundID: "re_\(script.refunds.count)", chargeID: call.chargeID, amount: call.amount,
                                  reason: call.reason, idempotencyKey: call.idempotencyKey)
        }
    }
}

/// A clock a test moves by hand.
final class TestClock: Sendable {
    private let now = Mutex(t0)
    func read() -> Date { now.withLock { $0 } }
    func advance(_ seconds: Double) { now.withLock { $0 = $0.plus(seconds) } }
}

/// The processor's orchestration against the in-memory store and a scripted provider (no network).
@Suite("Payment: processor orchestration")
struct PaymentProcessorTests {
    static func processor(_ provider: ScriptedProvider, clock: TestClock, store: InMemoryPaymentStore = InMemoryPaymentStore())
        -> PaymentProcessor {
        var logger = Logger(label: "boxoffice.test.payment.processor")
        logger.logLevel = .critical
        return PaymentProcessor(store: store, provider: provider, policy: defaultPolicy,
                                verifier: WebhookVerifier(secrets: ["whsec_unit"]), logger: logger,
                                clock: { clock.read() }, makePaymentID: { "pay-fixed" })
    }

    static func command(_ booking: String = "b-1", amount: Int64 = 1000) throws -> ChargeCommand {
        try ChargeCommand.validated(bookingID: booking, amountMinor: amount, currencyCode: "USD",
                                    paymentToken: "tok_approve", deadline: t0.plus(600))
    }

    @Test("a caller with less time than the provider timeout cuts the provider call to its budget")
    func budget() async throws {
        let provider = ScriptedProvider()
        let clock = TestClock()
        let processor = Self.processor(provider, clock: clock)
        let payment = try await processor.charge(Self.command(), callBudget: .seconds(5))
        #expect(payment.status == .pending, "no answer leaves it PENDING")
        #expect(provider.script.withLock { $0.chargeCalls.map(\.timeout) } == [.seconds(5)])
        #expect(payment.nextCheckAt == t0.plus(5), "the reconciler looks after the initial backoff")
        #expect(payment.providerCallDeadline == nil, "the call is over")
    }

    @Test("the reconciler raises the overdue alert once, keeps checking with backoff, and resolves on an answer")
    func reconcilerAlertAndResolution() async throws {
        let provider = ScriptedProvider()
        let clock = TestClock()
        let store = InMemoryPaymentStore()
        let processor = Self.processor(provider, clock: clock, store: store)
        _ = try await processor.charge(Self.command())
        clock.advance(5)
        #expect(try await processor.reconcile().isEmpty)
        #expect(provider.script.withLock { $0.lookups } == 1)
        clock.advance(600)  // past the deadline: overdue
        #expect(try await processor.reconcile().isEmpty)
        var pending = try #require(await store.payment(.bookingID("b-1")))
        #expect(pending.overdueAlertAt == t0.plus(605))
        #expect(pending.unresolvedChecks == 2)
        clock.advance(300)
        _ = try await processor.reconcile()
        pending = try #require(await store.payment(.bookingID("b-1")))
        #expect(pending.overdueAlertAt == t0.plus(605), "the alert is raised once")
        provider.script.withLock { $0.lookup = .found(.succeeded(chargeID: "ch_late")) }
        clock.advance(300)
        let resolved = try await processor.reconcile()
        #expect(resolved.map(\.status) == [.captured])
        #expect(await store.allNotifications.map(\.id) == ["pay-fixed/CAPTURED"])
    }

    @Test("a charge the provider made after the payment was settled NOT_CHARGED is refunded, once")
    func orphanCharge() async throws {
        let provider = ScriptedProvider()
        provider.script.withLock { $0.lookup = .notFound }
        let clock = TestClock()
        let store = InMemoryPaymentStore()
        let processor = Self.processor(provider, clock: clock, store: store)
        _ = try await processor.charge(Self.command())
        clock.advance(200)  // past timeout + not-found grace: "not found" means not charged
        #expect(try await processor.reconcile().map(\.status) == [.notCharged])

        // The request reached the provider after all; its success webhook arrives.
        let payload = webhookPayload(id: "evt_late", booking: "b-1", chargeID: "ch_orphan")
        let header = WebhookSigner(secret: "whsec_unit").signatureHeader(for: payload, at: clock.read())
        #expect(try await processor.receiveWebhook(payload: payload, signature: header) == .applied(.contradicted(.notCharged)))
        #expect(try await processor.receiveWebhook(payload: payload, signature: header) == .duplicate)
        let refunds = provider.script.withLock { $0.refunds }
        #expect(refunds.map(\.chargeID) == ["ch_orphan"])
        #expect(refunds.map(\.amount) == [1000])
        let payment = try #require(await store.payment(.bookingID("b-1")))
        #expect(payment.status == .notCharged)
        #expect(payment.providerChargeID == "ch_orphan")
        #expect(await store.allNotifications.map(\.id) == ["pay-fixed/NOT_CHARGED"], "booking hears only NOT_CHARGED")
    }

    @Test("a refund the provider cannot make is UNAVAILABLE and changes nothing; the retry refunds once")
    func refundOutage() async throws {
        let provider = ScriptedProvider()
        provider.script.withLock { $0.charge = .success(.succeeded(chargeID: "ch_1")) }
        let clock = TestClock()
        let store = InMemoryPaymentStore()
        let processor = Self.processor(provider, clock: clock, store: store)
        let captured = try await processor.charge(Self.command())
        #expect(captured.status == .captured)
        provider.script.withLock { $0.refundsFail = true }
        let command = RefundCommand(bookingID: "b-1", reason: "seats gone", idempotencyKey: "k-1")
        do {
            _ = try await processor.refund(command)
            Issue.record("the refund should have failed")
        } catch let error as PaymentError {
            #expect(error.code == .unavailable)
        }
        #expect(await store.payment(.bookingID("b-1")) == captured)
        provider.script.withLock { $0.refundsFail = false }
        let refunded = try await processor.refund(command)
        #expect(refunded.status == .refunded)
        #expect(try await processor.refund(command) == refunded, "a retry answers the same")
        #expect(provider.script.withLock { $0.refunds.count } == 1)
        #expect(await store.allNotifications.map(\.id) == ["pay-fixed/CAPTURED", "pay-fixed/REFUNDED"])
    }
}

/// A serialized `charge.succeeded` event for `booking`'s charge.
func webhookPayload(id: String, booking: String, chargeID: String) -> [UInt8] {
    var charge = Boxoffice_Provider_V1_Charge()
    charge.id = chargeID
    charge.idempotencyKey = ProviderChargeCall.idempotencyKey(forBooking: booking)
    charge.amount = 1000
    charge.currency = "USD"
    charge.status = .succeeded
    var event = Boxoffice_Provider_V1_WebhookEvent()
    event.id = id
    event.type = .chargeSucceeded
    event.sequence = 1
    event.data = .charge(charge)
    return event.serializedBytes()
}
