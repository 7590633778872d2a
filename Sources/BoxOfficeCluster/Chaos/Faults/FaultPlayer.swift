import Foundation
public import Logging

/// Plays a ``FaultPlan`` against a ``FaultInjector`` in real time: waits for each fault's moment,
/// injects it, waits out its duration, ends it, and records when each really happened.
///
/// A fault that fails to start or end is recorded with a note and the run goes on: the checker
/// still judges whatever happened. Cancelling the task ends the fault in progress before returning.
public struct FaultPlayer: Sendable {
    /// The faults planned.
    public let plan: FaultPlan
    let injector: any FaultInjector
    /// Measures recovery after each fault (bounded by the fault's recovery window plus its own duration).
    let probe: (any RecoveryProbe)?
    let logger: Logger
    /// Receives one line per fault as it begins and ends.
    public var onEvent: (@Sendable (String) -> Void)?

    /// Creates a value from its fields.
    public init(plan: FaultPlan, injector: any FaultInjector, probe: (any RecoveryProbe)? = nil,
                logger: Logger = Logger(label: "boxoffice.chaos.faults")) {
        self.plan = plan
        self.injector = injector
        self.probe = probe
        self.logger = logger
    }

    /// Plays every fault; `start` is the drop's start on the continuous clock.
    public func play(from start: ContinuousClock.Instant) async -> [FaultOutcome] {
        var outcomes: [FaultOutcome] = []
        for fault in plan.faults {
            let moment = start + .milliseconds(fault.startMilliseconds)
            do {
                try await Task.sleep(until: moment, clock: .continuous)
            } catch {
                break  // Cancelled before this fault: nothing to undo.
            }
            outcomes.append(await play(fault))
        }
        return outcomes
    }

    private func play(_ fault: ScheduledFault) async -> FaultOutcome {
        let kind = fault.kind
        let begun = Date().timeIntervalSince1970
        onEvent?("FAULT \(fault.name) begins")
        do {
            try await injector.begin(kind)
        } catch {
            logger.warning("fault did not start", metadata: ["chaos.fault": "\(fault.name)", "error": "\(error)"])
            return FaultOutcome(fault: fault, begunAt: begun, endedAt: begun, note: "could not inject: \(error)")
        }
        var note: String?
        if kind.lasts {
            // Always end a begun fault, even when cancelled: a paused service or a cut link must not outlive the run.
            try? await Task.sleep(for: .milliseconds(fault.durationMilliseconds))
            do {
                try await injector.end(kind)
            } catch {
                logger.warning("fault did not end", metadata: ["chaos.fault": "\(fault.name)", "error": "\(error)"])
                note = "could not end: \(error)"
            }
        }
        let ended = Date().timeIntervalSince1970
        onEvent?("FAULT \(fault.name) ends")
        var outcome = FaultOutcome(fault: fault, begunAt: begun, endedAt: ended, note: note)
        if let probe {
            outcome.recoverySeconds = await probe.timeUntilHoldsServed(after: kind, limit: .seconds(60))
            onEvent?("FAULT \(fault.name): holds served again after " + (outcome.recoverySeconds.map { String(format: "%.2f s", $0) } ?? "more than 60 s"))
        }
        return outcome
    }
}
