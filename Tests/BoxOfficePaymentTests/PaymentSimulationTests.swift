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
        #expect(totals.replaysDeduplicated > 0)
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
