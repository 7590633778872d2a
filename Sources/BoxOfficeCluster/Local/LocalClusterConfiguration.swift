internal import Foundation

extension LocalCluster {
    /// How to start a local cluster; the defaults match `boxoffice cluster up`.
    public struct Configuration: Sendable {
        /// Holds PostgreSQL's and Redis's data (when the cluster starts them), `logs/<service>.log`
        /// and `cluster.json`.
        public var dataDirectory: String
        /// A PostgreSQL superuser URL to use instead of starting a server.
        public var postgresURL: String?
        /// A Redis URL to use instead of starting a server.
        public var redisURL: String?
        /// Database prefix (`<name>_inventory`, …) and Redis key prefix (`<name>:`); `[a-z0-9_]`, at most 40.
        public var name: String
        /// Inventory's port; the others follow (+1 booking, +2 payment, +3 provider-sim). 0 picks free ports.
        public var basePort: Int
        /// Inventory's hold store: `redis` or `postgres`.
        public var store: String
        /// Extra environment variables per service (crash points, tuning).
        public var serviceEnvironment: [ClusterService: [String: String]]
        /// Whether a service that exits unexpectedly is started again.
        public var restartsServices: Bool
        /// The `boxoffice` executable the services run; nil finds it (see ``defaultExecutable()``).
        public var executable: String?
        /// Replaces the contract's command line of a service (tests, stand-ins); nil keeps the default.
        public var command: (@Sendable (ClusterService, ClusterPlan) -> ServiceCommand)?
        /// The services to run; all four by default.
        public var services: [ClusterService]
        /// Whether each service serves `/metrics` on a port of its own choosing.
        public var servesMetrics: Bool
        /// How long each service may take from spawn to SERVING (migrations included).
        public var startTimeout: Duration
        /// How long a service may drain after SIGTERM before it is SIGKILLed.
        public var stopGracePeriod: Duration
        /// HMAC secret for admission tokens; random by default.
        public var admissionSecret: String
        /// HMAC secret for provider webhooks; random by default.
        public var webhookSecret: String
        /// Told about endpoints, pids, readiness and restarts as they happen (the CLI prints them).
        public var onEvent: @Sendable (ClusterEvent) -> Void
        /// Folder of Debian's PostgreSQL 15 `initdb`, `pg_ctl` and `postgres`.
        public var postgresBinDirectory: String
        /// Debian's `redis-server`.
        public var redisExecutable: String

        /// Creates a configuration.
        public init(dataDirectory: String, postgresURL: String? = nil, redisURL: String? = nil, name: String = "boxoffice",
                    basePort: Int = 50051, store: String = "redis") {
            self.dataDirectory = dataDirectory
            self.postgresURL = postgresURL
            self.redisURL = redisURL
            self.name = name
            self.basePort = basePort
            self.store = store
            self.serviceEnvironment = [:]
            self.restartsServices = true
            self.executable = nil
            self.command = nil
            self.services = ClusterService.allCases
            self.servesMetrics = true
            self.startTimeout = .seconds(90)
            self.stopGracePeriod = .seconds(10)
            self.admissionSecret = Self.randomSecret()
            self.webhookSecret = Self.randomSecret()
            self.onEvent = { _ in }
            self.postgresBinDirectory = "/usr/lib/postgresql/15/bin"
            self.redisExecutable = "/usr/bin/redis-server"
        }

        /// Checks what can be checked before anything starts.
        /// - Throws: ``ClusterError/invalidConfiguration(_:)`` naming the bad setting.
        public func validate() throws {
            guard !name.isEmpty, name.utf8.count <= 40,
                  name.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }) else {
                throw ClusterError.invalidConfiguration("--name must be 1-40 of a-z, 0-9 and _, got '\(name)'")
            }
            guard basePort == 0 || (1...65532).contains(basePort) else {
                throw ClusterError.invalidConfiguration("--base-port must be 0 (free ports) or 1-65532, got \(basePort)")
            }
            guard ["redis", "postgres"].contains(store) else {
                throw ClusterError.invalidConfiguration("--store must be redis or postgres, got '\(store)'")
            }
            if let postgresURL, !(postgresURL.hasPrefix("postgresql://") || postgresURL.hasPrefix("postgres://")) {
                throw ClusterError.invalidConfiguration("--pg-url must be a postgresql:// URL, got '\(postgresURL)'")
            }
            if let redisURL, !redisURL.hasPrefix("redis://") {
                throw ClusterError.invalidConfiguration("--redis-url must be a redis:// URL, got '\(redisURL)'")
            }
            guard !services.isEmpty else { throw ClusterError.invalidConfiguration("no services to run") }
        }

        /// The `boxoffice` binary next to the running executable: the CLI itself, or the one
        /// SwiftPM built beside a test bundle; `BOXOFFICE_EXECUTABLE` overrides both.
        public static func defaultExecutable() -> String {
            if let given = ProcessInfo.processInfo.environment["BOXOFFICE_EXECUTABLE"], !given.isEmpty { return given }
            let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
            if (running as NSString).lastPathComponent == "boxoffice" { return running }
            var directory = (running as NSString).deletingLastPathComponent
            // A test bundle on Darwin sits deeper (…/X.xctest/Contents/MacOS/X).
            for _ in 0..<4 {
                let candidate = directory + "/boxoffice"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                directory = (directory as NSString).deletingLastPathComponent
            }
            return FileManager.default.currentDirectoryPath + "/.build/debug/boxoffice"
        }

        static func randomSecret() -> String {
            (0..<32).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        }
    }
}

/// Something a starting or running cluster reports.
public enum ClusterEvent: Sendable, Equatable {
    /// A service will listen here (known before it starts).
    case endpoint(ClusterService, host: String, port: Int)
    /// A service process was spawned.
    case started(ClusterService, pid: Int32)
    /// A service serves `/metrics` on this port.
    case metrics(ClusterService, port: Int)
    /// Every service answered health SERVING.
    case ready
    /// A service exited unexpectedly (`status` as a shell shows it: 128+N for signal N).
    case exited(ClusterService, pid: Int32, status: Int32)
    /// A service that exited was started again.
    case restarted(ClusterService, pid: Int32)
}
