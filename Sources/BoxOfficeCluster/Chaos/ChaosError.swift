/// Why `boxoffice chaos` refused to start or could not finish; each message says what to do.
public enum ChaosError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Unknown fault, a schedule that does not fit the drop, a fault on a server the run does not own.
    case invalidSchedule(String)
    /// Network faults need root (or CAP_NET_ADMIN + CAP_SYS_ADMIN), `ip` and `nft`.
    case missingPrivileges(String)
    /// A fault could not be injected or undone.
    case faultFailed(fault: String, detail: String)

    public var description: String {
        switch self {
        case .invalidSchedule(let message): "invalid chaos schedule: \(message)"
        case .missingPrivileges(let message): "network faults are not possible here: \(message)"
        case .faultFailed(let fault, let detail): "fault \(fault) failed: \(detail)"
        }
    }
}
