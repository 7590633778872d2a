/// What a chaos run should break, and over how long: turned into a repeatable ``FaultPlan``.
public struct FaultSchedule: Sendable, Hashable {
    /// The faults, each injected once in a seeded order (repeat a name to inject it more often).
    public var faults: [FaultKind]
    /// Seeds the order and the moments: the same seed, faults and durations give the same plan.
    public var seed: UInt64
    /// How long the drop runs; every timed fault must end, and leave its recovery window, inside it.
    public var dropDuration: Duration
    /// How long a lasting fault lasts (pauses should exceed the call deadlines).
    public var faultDuration: Duration
    /// Quiet time after each fault for the cluster to recover before the next one.
    public var recoveryWindow: Duration
    /// Quiet time at the start so the drop is underway before the first fault.
    public var warmUp: Duration

    /// Creates a value from its fields.
    public init(faults: [FaultKind], seed: UInt64 = 1, dropDuration: Duration, faultDuration: Duration = .seconds(12),
                recoveryWindow: Duration = .seconds(10), warmUp: Duration = .seconds(3)) {
        self.faults = faults
        self.seed = seed
        self.dropDuration = dropDuration
        self.faultDuration = faultDuration
        self.recoveryWindow = recoveryWindow
        self.warmUp = warmUp
    }

    /// Parses `kill:booking,postgres-restart,…` (or `all`).
    /// - Throws: ``ChaosError`` naming an unknown fault and listing the known ones.
    public static func parseFaults(_ text: String) throws(ChaosError) -> [FaultKind] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ChaosError.invalidSchedule("--faults is empty; known faults: \(Self.knownNames)") }
        var kinds: [FaultKind] = []
        for name in names {
            if name == "all" {
                kinds += FaultKind.all
            } else if let kind = FaultKind(name: name) {
                kinds.append(kind)
            } else {
                throw ChaosError.invalidSchedule("unknown fault '\(name)'; known faults: all, \(Self.knownNames)")
            }
        }
        return kinds
    }

    static var knownNames: String { FaultKind.all.map(\.description).joined(separator: ", ") }

    /// The plan: timed faults in a seeded order, one after another, each at a seeded moment within its
    /// own slot of the drop.
    /// - Throws: ``ChaosError/invalidSchedule(_:)`` when the faults, their durations and recovery
    ///   windows do not fit in the drop.
    public func plan() throws(ChaosError) -> FaultPlan {
        func ms(_ duration: Duration) -> Int64 {
            duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        }
        guard dropDuration > .zero else { throw ChaosError.invalidSchedule("the drop duration must be positive") }
        guard faultDuration > .zero, recoveryWindow >= .zero, warmUp >= .zero else {
            throw ChaosError.invalidSchedule("fault duration must be positive; recovery window and warm-up not negative")
        }
        var random = DropRandom(seed: seed)
        var timed = faults.filter { !$0.isWholeRun }
        timed.shuffle(using: &random)
        let wholeRun = Array(Set(faults.filter(\.isWholeRun).map(\.description))).sorted()
        let slots = timed.map { ($0, ($0.lasts ? ms(faultDuration) : 0) + ms(recoveryWindow)) }
        let needed = ms(warmUp) + slots.reduce(0) { $0 + $1.1 }
        let available = ms(dropDuration)
        guard needed <= available else {
            throw ChaosError.invalidSchedule(
                "the schedule needs \(ScheduledFault.seconds(needed)) (warm-up \(warmUp), \(timed.count) faults of \(faultDuration) each "
                    + "where they last, \(recoveryWindow) recovery after each) but the drop lasts \(dropDuration): "
                    + "lengthen --duration, or use fewer faults or shorter --fault-duration / --recovery-window")
        }
        // Spread the slack over the slots: each fault starts at a seeded point of its share.
        let slack = (available - needed) / Int64(max(timed.count, 1))
        var cursor = ms(warmUp)
        var scheduled: [ScheduledFault] = []
        for (kind, length) in slots {
            let jitter = slack > 0 ? Int64(random.next() % UInt64(slack)) : 0
            let start = cursor + jitter
            scheduled.append(ScheduledFault(kind: kind, startMilliseconds: start, durationMilliseconds: kind.lasts ? ms(faultDuration) : 0))
            cursor += length + slack
        }
        return FaultPlan(seed: seed, faults: scheduled, wholeRun: wholeRun)
    }
}
