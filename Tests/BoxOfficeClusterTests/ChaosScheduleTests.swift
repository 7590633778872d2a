import BoxOfficeCluster
import Testing

@Suite("Chaos fault schedule")
struct ChaosScheduleTests {
    @Test("every fault name parses back to itself")
    func namesRoundTrip() throws {
        for kind in FaultKind.all {
            #expect(FaultKind(name: kind.description) == kind)
        }
        #expect(try FaultSchedule.parseFaults("kill:booking, pause:payment,postgres-restart")
            == [.kill(.booking), .pause(.payment), .postgresRestart])
        #expect(try FaultSchedule.parseFaults("all").count == FaultKind.all.count)
    }

    @Test("an unknown fault name is refused with the known ones listed", arguments: ["kill:nginx", "explode", "blackhole:inventory-booking", ""])
    func unknownFaultRefused(_ text: String) {
        #expect {
            _ = try FaultSchedule.parseFaults(text)
        } throws: { error in
            guard case .invalidSchedule(let message) = error as? ChaosError else { return false }
            return message.contains("kill:booking") && (text.isEmpty || message.contains("'\(text)'"))
        }
    }

    @Test("the same seed gives the same plan; another seed another order or moments")
    func planIsRepeatable() throws {
        let faults: [FaultKind] = [.kill(.booking), .pause(.payment), .postgresRestart, .redisFlush, .kill(.inventory)]
        let schedule = FaultSchedule(faults: faults, seed: 7, dropDuration: .seconds(200))
        let first = try schedule.plan()
        #expect(try schedule.plan() == first)
        var other = schedule
        other.seed = 8
        #expect(try other.plan() != first)
        #expect(Set(first.faults.map(\.name)) == Set(faults.map(\.description)))
    }

    @Test("faults never overlap, each leaves its recovery window, and all fit in the drop")
    func planRespectsWindows() throws {
        let schedule = FaultSchedule(faults: [.pause(.booking), .redisWipe, .kill(.payment), .blackhole(NetworkLink.all[0])], seed: 3,
                                     dropDuration: .seconds(120), faultDuration: .seconds(12), recoveryWindow: .seconds(10), warmUp: .seconds(3))
        let plan = try schedule.plan()
        #expect(plan.faults.first!.startMilliseconds >= 3000)
        for (earlier, later) in zip(plan.faults, plan.faults.dropFirst()) {
            #expect(later.startMilliseconds >= earlier.endMilliseconds + 10_000, "\(earlier) then \(later)")
        }
        #expect(plan.faults.last!.endMilliseconds + 10_000 <= 120_000)
        #expect(plan.faults.first { $0.name == "kill:payment" }?.durationMilliseconds == 0)
        #expect(plan.faults.first { $0.name == "pause:booking" }?.durationMilliseconds == 12_000)
    }

    @Test("a schedule longer than the drop is refused, saying how long it needs")
    func scheduleLongerThanDropRefused() {
        let schedule = FaultSchedule(faults: [.pause(.booking), .pause(.payment), .postgresRestart], dropDuration: .seconds(30))
        #expect {
            _ = try schedule.plan()
        } throws: { error in
            guard case .invalidSchedule(let message) = error as? ChaosError else { return false }
            return message.contains("drop lasts") && message.contains("needs")
        }
    }

    @Test("provider troubles take no slot: they shape the whole drop's checkout mix")
    func providerTroublesAreWholeRun() throws {
        let schedule = FaultSchedule(faults: [.provider(.timeouts), .provider(.webhooks), .kill(.booking)], dropDuration: .seconds(20))
        let plan = try schedule.plan()
        #expect(plan.faults.map(\.name) == ["kill:booking"])
        #expect(plan.wholeRun == ["provider-timeouts", "provider-webhooks"])

        var configuration = ChaosConfiguration(drop: DropConfiguration(), schedule: schedule, dataDirectory: "/tmp/unused")
        configuration.store = "redis"
        let weights = Dictionary(uniqueKeysWithValues: configuration.effectiveCheckoutMix.choices.entries.map { ($0.choice.description, $0.weight) })
        let standard = Dictionary(uniqueKeysWithValues: CheckoutMix.standard.choices.entries.map { ($0.choice.description, $0.weight) })
        #expect(weights["tok_timeout_charge"]! > standard["tok_timeout_charge"]!)
        #expect(weights["tok_webhook_lost"]! > standard["tok_webhook_lost"]!)
        #expect(weights["tok_approve"] == standard["tok_approve"])
    }

    @Test("stopping or wiping a server the run does not own is refused before anything starts")
    func faultsOnOutsideServersRefused() {
        var configuration = ChaosConfiguration(
            drop: DropConfiguration(), schedule: FaultSchedule(faults: [.postgresRestart], dropDuration: .seconds(60)), dataDirectory: "/tmp/unused")
        configuration.postgresURL = "postgresql://postgres@127.0.0.1:55432/postgres"
        #expect(throws: ChaosError.self) { try configuration.validate() }
        configuration.postgresURL = nil
        configuration.redisURL = "redis://127.0.0.1:56379"
        configuration.schedule.faults = [.redisFlush]
        #expect(throws: ChaosError.self) { try configuration.validate() }
        configuration.schedule.faults = [.kill(.booking)]
        #expect(throws: Never.self) { try configuration.validate() }
    }

    @Test("network faults with outside servers are refused (the namespace cannot reach them)")
    func networkFaultsNeedOwnServers() {
        var configuration = ChaosConfiguration(
            drop: DropConfiguration(), schedule: FaultSchedule(faults: [.packetLoss(NetworkLink.all[1])], dropDuration: .seconds(60)),
            dataDirectory: "/tmp/unused")
        configuration.redisURL = "redis://127.0.0.1:56379"
        #expect {
            try configuration.validate()
        } throws: { error in
            guard case .invalidSchedule(let message) = error as? ChaosError else { return false }
            return message.contains("namespace")
        }
    }

    @Test("recovery is the first hold answered that started after the fault ended")
    func recoveryTimeFromHistory() {
        func hold(_ start: Double, _ end: Double, _ outcome: HistoryOutcome) -> HistoryRecord {
            HistoryRecord(user: "u", op: .holdSeats, start: start, end: end, outcome: outcome)
        }
        let history = [
            hold(95, 101, .ok),  // started during the fault: does not count
            hold(100.5, 110.5, .unknown),  // timed out: not served
            hold(102, 104, .failed),  // sold out is an answer: served
            hold(103, 103.5, .ok),
            HistoryRecord(user: "u", op: .getBooking, start: 100.1, end: 100.2, outcome: .ok),
        ]
        #expect(RecoveryTime.afterFault(endedAt: 100, history: history) == 3.5)
        #expect(RecoveryTime.afterFault(endedAt: 200, history: history) == nil)
    }
}
