/// Why a local cluster could not start or do what was asked; each message says what to do.
public enum ClusterError: Error, Sendable, CustomStringConvertible {
    /// A setting is malformed.
    case invalidConfiguration(String)
    /// A port the cluster needs is taken.
    case portInUse(port: Int, service: ClusterService)
    /// A Debian package the cluster needs is not installed.
    case missingPackage(binary: String, package: String)
    /// PostgreSQL or Redis did not start.
    case backingServerFailed(server: String, detail: String, logTail: String)
    /// A database could not be created.
    case databaseFailed(String)
    /// A service exited or did not become SERVING in time.
    case serviceFailed(ClusterService, detail: String, logPath: String, logTail: String)
    /// The service is not part of this cluster.
    case unknownService(ClusterService)

    /// The message for people: what went wrong and what to do.
    public var description: String {
        switch self {
        case .invalidConfiguration(let message):
            return message
        case .portInUse(let port, let service):
            return "port \(port) (for \(service)) is already in use on 127.0.0.1. Stop whatever listens there "
                + "(see `ss -ltnp 'sport = :\(port)'`; an earlier cluster stops with `boxoffice cluster down --data-dir DIR`), "
                + "or choose other ports with --base-port N, or --base-port 0 for free ones."
        case .missingPackage(let binary, let package):
            return "\(binary) was not found: install the Debian package \(package) "
                + "(Scripts/install-deps.sh installs everything BoxOffice needs), or pass --pg-url/--redis-url to use running servers."
        case .backingServerFailed(let server, let detail, let logTail):
            return "\(server) did not start: \(detail)" + (logTail.isEmpty ? "" : "\n--- end of its log ---\n\(logTail)")
        case .databaseFailed(let message):
            return message
        case .serviceFailed(let service, let detail, let logPath, let logTail):
            return "service \(service) \(detail) (log: \(logPath))" + (logTail.isEmpty ? "" : "\n--- end of its log ---\n\(logTail)")
        case .unknownService(let service):
            return "service \(service) is not part of this cluster"
        }
    }
}
