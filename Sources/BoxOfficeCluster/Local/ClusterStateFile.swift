internal import Foundation

/// `<data>/cluster.json`: what a running `boxoffice cluster up` started, for `cluster down`,
/// `drop` and scripts. Written once the cluster is READY, rewritten when a service restarts,
/// removed when the cluster stops.
public struct ClusterStateFile: Codable, Sendable, Equatable {
    /// One service's process.
    public struct ServiceEntry: Codable, Sendable, Equatable {
        /// `127.0.0.1:<port>`.
        public var endpoint: String
        /// Its current process id.
        public var pid: Int32
        /// Its `/metrics` port, when it serves one.
        public var metricsPort: Int?
        /// Its log file.
        public var log: String
    }

    /// The cluster name (database and key prefix).
    public var name: String
    /// The process supervising the services (`cluster down` signals it).
    public var supervisorPID: Int32
    /// PostgreSQL superuser URL.
    public var postgresURL: String
    /// Redis URL.
    public var redisURL: String
    /// Every service, by name (`inventory`, `booking`, `payment`, `provider-sim`).
    public var services: [String: ServiceEntry]

    /// The file's path in `dataDirectory`.
    public static func path(in dataDirectory: String) -> String { dataDirectory + "/cluster.json" }

    /// Reads the file in `dataDirectory`; nil when there is none.
    /// - Throws: when it exists but cannot be parsed.
    public static func read(from dataDirectory: String) throws -> ClusterStateFile? {
        let path = path(in: dataDirectory)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try JSONDecoder().decode(ClusterStateFile.self, from: data)
    }

    /// Writes the file atomically into `dataDirectory`.
    public func write(to dataDirectory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: Self.path(in: dataDirectory)), options: .atomic)
    }

    /// Removes the file from `dataDirectory` (nothing when absent).
    public static func remove(from dataDirectory: String) {
        try? FileManager.default.removeItem(atPath: path(in: dataDirectory))
    }
}

extension LocalCluster {
    /// The state file describing this cluster now, with `supervisorPID` as its supervisor.
    public func stateFile(supervisorPID: Int32) -> ClusterStateFile {
        var services: [String: ClusterStateFile.ServiceEntry] = [:]
        for (service, endpoint) in endpoints {
            services[service.name] = ClusterStateFile.ServiceEntry(
                endpoint: endpoint.authority, pid: pid(of: service) ?? 0, metricsPort: metricsPort(of: service), log: logPath(of: service))
        }
        return ClusterStateFile(name: plan.name, supervisorPID: supervisorPID, postgresURL: postgresURL, redisURL: redisURL,
                                services: services)
    }
}
