import Foundation

/// What a chaos run found: the plan, each fault with its recovery time, the drop's own report and
/// the checker's verdict after convergence.
public struct ChaosReport: Sendable, Encodable {
    /// The faults planned.
    public var plan: FaultPlan
    /// Each fault as it happened, with its recovery time.
    public var faults: [FaultOutcome]
    /// The drop's report; nil when the drop itself failed (see ``dropError``).
    public var drop: DropReport?
    /// Why the drop itself failed, if it did.
    public var dropError: String?
    /// The checker's verdict after convergence.
    public var check: CheckReport
    /// Seconds from the end of the drop until the stores had settled (or the timeout, if they did not).
    public var convergenceSeconds: Double
    /// The recovery goal.
    public var recoveryGoalSeconds: Double
    /// The client history file.
    public var historyFile: String

    /// No violation. (Recovery times beyond the goal are reported, not failed on: they depend on the machine.)
    public var passed: Bool { check.passed && dropError == nil }

    /// Faults whose recovery exceeded the goal or could not be measured.
    public var slowRecoveries: [FaultOutcome] { faults.filter { !$0.metGoal(recoveryGoalSeconds) } }

    /// Creates a value from its fields.
    public init(plan: FaultPlan, faults: [FaultOutcome], drop: DropReport?, dropError: String?, check: CheckReport,
                convergenceSeconds: Double, recoveryGoalSeconds: Double, historyFile: String) {
        self.plan = plan
        self.faults = faults
        self.drop = drop
        self.dropError = dropError
        self.check = check
        self.convergenceSeconds = convergenceSeconds
        self.recoveryGoalSeconds = recoveryGoalSeconds
        self.historyFile = historyFile
    }

    private enum CodingKeys: String, CodingKey {
        case passed, plan, faults, drop, dropError, check, convergenceSeconds, recoveryGoalSeconds, historyFile
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(passed, forKey: .passed)
        try container.encode(plan, forKey: .plan)
        try container.encode(faults, forKey: .faults)
        try container.encodeIfPresent(drop, forKey: .drop)
        try container.encodeIfPresent(dropError, forKey: .dropError)
        try container.encode(check, forKey: .check)
        try container.encode(convergenceSeconds, forKey: .convergenceSeconds)
        try container.encode(recoveryGoalSeconds, forKey: .recoveryGoalSeconds)
        try container.encode(historyFile, forKey: .historyFile)
    }

    /// Indented JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The report for people.
    public var text: String {
        var lines = ["chaos run, seed \(plan.seed): \(faults.count) faults" + (plan.wholeRun.isEmpty ? "" : ", whole run: \(plan.wholeRun.joined(separator: ", "))")]
        lines += faults.map { "  " + $0.description }
        let measured = faults.compactMap(\.recoverySeconds)
        if let worst = measured.max() {
            lines.append("recovery: worst \(String(format: "%.2f", worst)) s, goal \(String(format: "%.0f", recoveryGoalSeconds)) s, "
                         + "\(slowRecoveries.count) over the goal or unmeasured")
        }
        if let dropError { lines.append("drop failed: \(dropError)") }
        if let drop {
            lines.append("drop: \(drop.users) shoppers, \(drop.totalCalls) calls in \(String(format: "%.1f", drop.durationSeconds)) s")
        }
        lines.append("converged in \(String(format: "%.1f", convergenceSeconds)) s; history: \(historyFile)")
        lines.append(check.description)
        lines.append(passed ? "PASSED: no violations" : "FAILED")
        return lines.joined(separator: "\n")
    }
}
