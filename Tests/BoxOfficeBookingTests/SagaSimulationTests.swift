import BoxOfficeBooking
import Foundation
import Testing

/// Thousands of seeded worlds per run; every invariant checked per seed.
///
/// A failing seed is named in the failure; `BOXOFFICE_SIM_SEED=N swift test --filter SagaSimulation`
/// replays just that seed and prints its trace.
@Suite("Saga simulation")
struct SagaSimulationTests {
    static let chunks = 8
    /// 2,400 seeds per run by default (plus 300 harsh ones); `BOXOFFICE_SIM_SEEDS=N` runs N (and N/8
    /// harsh), e.g. for a long nightly run.
    static let seedsPerChunk = {
        let total = ProcessInfo.processInfo.environment["BOXOFFICE_SIM_SEEDS"].flatMap { Int($0) } ?? 2_400
        return max(1, total / chunks)
    }()

    static var replaySeed: UInt64? {
        ProcessInfo.processInfo.environment["BOXOFFICE_SIM_SEED"].flatMap { UInt64($0) }
    }

    @Test("invariants hold for every seed", arguments: 0..<chunks)
    func seeds(chunk: Int) {
        if let seed = Self.replaySeed {
            guard chunk == 0 else { return }
            let harsh = ProcessInfo.processInfo.environment["BOXOFFICE_SIM_HARSH"] == "1"
            var simulation = SagaSimulation(seed: seed, configuration: harsh ? .harsh : .init(), tracing: true)
            let outcome = simulation.run()
            print(outcome.trace.joined(separator: "\n"))
            #expect(outcome.violations.isEmpty, "seed \(seed): \(outcome.violations.joined(separator: "; "))")
            return
        }
        let first = UInt64(chunk * Self.seedsPerChunk)
        for seed in first..<first + UInt64(Self.seedsPerChunk) {
            var simulation = SagaSimulation(seed: seed)
            let outcome = simulation.run()
            #expect(outcome.violations.isEmpty,
                    "seed \(seed) (replay: BOXOFFICE_SIM_SEED=\(seed)): \(outcome.violations.prefix(5).joined(separator: "; "))")
        }
    }

    @Test("invariants hold in a harsh world", arguments: 0..<2)
    func harshSeeds(chunk: Int) {
        guard Self.replaySeed == nil else { return }
        let count = max(1, Self.seedsPerChunk * Self.chunks / 16)  // a harsh world costs about 4 normal ones
        let first = UInt64(1_000_000 + chunk * count)
        for seed in first..<first + UInt64(count) {
            var simulation = SagaSimulation(seed: seed, configuration: .harsh)
            let outcome = simulation.run()
            #expect(outcome.violations.isEmpty,
                    "harsh seed \(seed) (replay: BOXOFFICE_SIM_SEED=\(seed) BOXOFFICE_SIM_HARSH=1): \(outcome.violations.prefix(5).joined(separator: "; "))")
        }
    }

    @Test("a seed replays identically")
    func replay() {
        for seed: UInt64 in [3, 77, 1_234] {
            var first = SagaSimulation(seed: seed, tracing: true)
            var second = SagaSimulation(seed: seed, tracing: true)
            let a = first.run()
            let b = second.run()
            #expect(a.trace == b.trace)
            #expect(a.fingerprint == b.fingerprint)
            #expect(a.finalSteps == b.finalSteps)
        }
        var other = SagaSimulation(seed: 78)
        var same = SagaSimulation(seed: 77)
        #expect(other.run().fingerprint != same.run().fingerprint, "different seeds make different worlds")
    }

    @Test("the worlds reach every ending, with crashes, across seeds")
    func coverage() {
        var endings: [SagaStep: Int] = [:]
        var crashes = 0
        for seed: UInt64 in 0..<200 {
            var simulation = SagaSimulation(seed: seed)
            let outcome = simulation.run()
            for step in outcome.finalSteps { endings[step, default: 0] += 1 }
            crashes += outcome.crashes
        }
        for ending in SagaStep.allCases where ending.isTerminal {
            #expect(endings[ending, default: 0] > 0, "no seed ended in \(ending)")
        }
        #expect(crashes > 200, "the booking process crashes often")
    }

    @Test("a driver that guesses a timed-out charge failed is caught")
    func checksBite() {
        var configuration = SagaSimulation.Configuration()
        configuration.guessChargeTimeoutsAsDeclined = true
        let caught = (UInt64(0)..<200).contains { seed in
            var simulation = SagaSimulation(seed: seed, configuration: configuration)
            return simulation.run().violations.contains { $0.contains("money and seats disagree") }
        }
        #expect(caught, "freeing seats on a guess must break an invariant in some seed")
    }
}
