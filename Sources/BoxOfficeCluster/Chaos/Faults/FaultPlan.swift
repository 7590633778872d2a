/// One fault at its moment in the drop.
public struct ScheduledFault: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The fault's command-line name (``FaultKind/description``).
    public var name: String
    /// Milliseconds after the drop starts.
    public var startMilliseconds: Int64
    /// How long it lasts (0 for an instant fault such as kill or FLUSHALL).
    public var durationMilliseconds: Int64

    /// The fault.
    public var kind: FaultKind { FaultKind(name: name)! }

    /// Creates a value from its fields.
    public init(kind: FaultKind, startMilliseconds: Int64, durationMilliseconds: Int64) {
        self.name = kind.description
        self.startMilliseconds = startMilliseconds
        self.durationMilliseconds = durationMilliseconds
    }

    /// When it ends, milliseconds after the drop starts.
    public var endMilliseconds: Int64 { startMilliseconds + durationMilliseconds }

    /// `t+12.5s kill:booking` or `t+30.0s pause:payment for 12.0s`.
    public var description: String {
        let start = "t+\(Self.seconds(startMilliseconds)) \(name)"
        return durationMilliseconds > 0 ? start + " for \(Self.seconds(durationMilliseconds))" : start
    }

    static func seconds(_ milliseconds: Int64) -> String {
        "\(milliseconds / 1000).\(milliseconds % 1000 / 100)s"
    }
}

/// The faults of one chaos run: timed faults one after another (each followed by a recovery window,
/// so the recovery time of each is its own), and whole-run provider troubles.
public struct FaultPlan: Sendable, Hashable, Codable {
    /// The seed the plan was made with.
    public var seed: UInt64
    /// Each fault as it happened, with its recovery time.
    public var faults: [ScheduledFault]
    /// Names of the whole-run faults (provider troubles).
    public var wholeRun: [String]

    /// Creates a value from its fields.
    public init(seed: UInt64, faults: [ScheduledFault], wholeRun: [String]) {
        self.seed = seed
        self.faults = faults
        self.wholeRun = wholeRun
    }

    /// One line per fault, for the run's header.
    public var lines: [String] {
        faults.map(\.description) + wholeRun.map { "whole run: \($0)" }
    }
}
