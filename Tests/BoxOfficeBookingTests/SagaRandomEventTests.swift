import BoxOfficeBooking
import BoxOfficeHarness
import Testing

/// Random event sequences, realistic or not, against the machine's safety rules: whatever arrives in
/// whatever order, no seat is freed after a charge unless payment said it failed, nothing is confirmed
/// or refunded without a capture, terminal means final, and every live saga has a wake-up.
@Suite("Saga under random events")
struct SagaRandomEventTests {
    @Test("safety rules hold for random event sequences", arguments: 0..<4)
    func randomSequences(chunk: Int) throws {
        var visited: Set<SagaStep> = []
        for seed in UInt64(chunk * 500)..<UInt64(chunk * 500 + 500) {
            var random = SplitMix64(seed: seed)
            var script = SagaScript.started()
            for _ in 0..<60 {
                // Half the time an event that moves this step on, so the deep steps are reached too.
                let progress = Self.progressColumns(script.saga.step)
                let choices = random.chance(0.5) && !progress.isEmpty ? progress : SagaColumn.allCases
                let column = choices[Int(random.int(in: 0...Int64(choices.count - 1)))]
                script.now = script.now + .milliseconds(random.int(in: 0...30_000))
                let before = script.saga
                let event = column.event(now: script.now)
                guard let transition = try? script.saga.handle(event, now: script.now, policy: Fixture.policy) else {
                    #expect(script.saga == before, "seed \(seed): a refused \(event) changed the saga")
                    continue
                }
                try Self.checkRules(before: before, after: script.saga, event: event, transition: transition,
                                    now: script.now, seed: seed)
                visited.insert(script.saga.step)
            }
        }
        #expect(visited == Set(SagaStep.allCases), "unvisited: \(Set(SagaStep.allCases).subtracting(visited))")
    }

    static func progressColumns(_ step: SagaStep) -> [SagaColumn] {
        switch step {
        case .holdRequested: [.hG, .hR]
        case .held: [.co, .ca]
        case .pinning: [.pP, .pG]
        case .charging: [.cC, .cP, .cD, .xC]
        case .awaitingPayment: [.nC, .qC, .qP, .nN]
        case .confirming: [.fC, .fG]
        case .refunding: [.rf, .nR]
        case .releasing: [.rl]
        default: []
        }
    }

    static func checkRules(before: BookingSaga, after: BookingSaga, event: SagaEvent, transition: SagaTransition,
                           now: SagaInstant, seed: UInt64) throws {
        let where_ = "seed \(seed): \(before.step) × \(event) → \(after.step)"
        if before.isTerminal {
            #expect(after == before && transition == .unchanged, "\(where_): a terminal saga changed")
        }
        #expect(transition.mustPersist == (after != before), "\(where_): persist exactly when changed")
        #expect(after.version == before.version + (transition.mustPersist ? 1 : 0))
        #expect(after.isTerminal == (after.wakeUpAt == nil), "\(where_): live sagas need a wake-up")
        for case .call(let call) in transition.actions {
            #expect(call.idempotencyKey == "bk-1:\(call.kind.rawValue)", "\(where_)")
            #expect(call.deadline > now, "\(where_): a call must have time")
            switch call.kind {
            case .release where before.step.chargeWasSentForTest:
                #expect([.declined, .notCharged].contains(after.paymentOutcome),
                        "\(where_): seats freed after a charge that did not fail")
            case .confirm, .refund:
                #expect(after.paymentOutcome == .captured, "\(where_): \(call.kind) without a capture")
            case .charge:
                #expect(after.checkout?.pinnedUntil != nil, "\(where_): charge before the pin")
            default:
                break
            }
        }
        if before.status == .confirmed || before.status == .refunded {
            #expect(after.status == before.status, "\(where_): a decided sale changed its mind")
        }
    }
}

extension SagaStep {
    /// Steps every path into which sent a charge (mirrors the machine's rule, stated independently).
    var chargeWasSentForTest: Bool {
        [.charging, .awaitingPayment, .confirming, .refunding, .releasing(.paymentFailed),
         .confirmed, .refunded, .paymentFailed].contains(self)
    }
}
