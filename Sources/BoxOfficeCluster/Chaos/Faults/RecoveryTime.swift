import Foundation

/// How long after a fault ended the cluster served holds again, measured from the client history.
///
/// "Served" means a HoldSeats call that started after the fault ended got a definite answer (a hold,
/// or a definite refusal such as sold out): the front door, the waiting room and inventory all
/// answered. Calls that started during the fault do not count, so a call that merely outlived the
/// fault cannot make recovery look instant.
public enum RecoveryTime {
    /// Seconds from `faultEnded` (Unix epoch seconds) to the end of the first such call; nil when no
    /// hold call started after it got a definite answer (the crowd was done, or the cluster never recovered).
    public static func afterFault(endedAt faultEnded: Double, history: [HistoryRecord]) -> Double? {
        var best: Double?
        for record in history where record.op == .holdSeats && record.outcome != .unknown && record.start >= faultEnded {
            let recovery = record.end - faultEnded
            if best == nil || recovery < best! { best = recovery }
        }
        return best
    }
}

/// A fault as it happened in a chaos run, with the recovery time after it.
public struct FaultOutcome: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The planned fault.
    public var fault: ScheduledFault
    /// When it was injected and when it ended (Unix epoch seconds); equal for an instant fault.
    public var begunAt: Double
    /// When it ended (Unix epoch seconds).
    public var endedAt: Double
    /// Seconds until the recovery probe's hold on inventory succeeded again; nil when it did not within a minute.
    public var recoverySeconds: Double?
    /// Seconds until a shopper's HoldSeats through booking was answered again (from the client history);
    /// nil when no shopper tried after the fault (the drop had ended).
    public var crowdRecoverySeconds: Double?
    /// Why recovery is missing, or what went wrong injecting the fault.
    public var note: String?

    /// Creates a value from its fields.
    public init(fault: ScheduledFault, begunAt: Double, endedAt: Double, recoverySeconds: Double? = nil, note: String? = nil) {
        self.fault = fault
        self.begunAt = begunAt
        self.endedAt = endedAt
        self.recoverySeconds = recoverySeconds
        self.note = note
    }

    /// Whether the recovery goal was met (holds served again within `goalSeconds`).
    public func metGoal(_ goalSeconds: Double) -> Bool { (recoverySeconds ?? .infinity) <= goalSeconds }

    public var description: String {
        let recovery = recoverySeconds.map { "holds served again after \(String(format: "%.2f", $0)) s" } ?? "holds not served within 60 s"
        let crowd = crowdRecoverySeconds.map { ", shoppers after \(String(format: "%.2f", $0)) s" } ?? ""
        return "\(fault.name) at t+\(ScheduledFault.seconds(fault.startMilliseconds)): \(recovery)\(crowd)" + (note.map { " (\($0))" } ?? "")
    }
}
