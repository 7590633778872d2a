#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import BoxOfficeCluster
import Foundation
import Logging

/// `boxoffice cluster up`: starts a local cluster and supervises it until SIGINT/SIGTERM.
struct ClusterUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start PostgreSQL, Redis and the four services; stop them all on Ctrl-C.",
        discussion: """
            Prints 'ENDPOINT <service> 127.0.0.1:<port>' and 'PID <service> <pid>' per service, then 'READY' once \
            every service answers grpc.health.v1 SERVING. A service that exits is started again ('RESTARTED <service> <pid>'). \
            Service logs are in DIR/logs. With --detach it returns after READY and 'boxoffice cluster down --data-dir DIR' \
            stops it. Every flag --foo-bar may also be set by BOXOFFICE_CLUSTER_FOO_BAR.
            """)

    @Option(help: "Folder for PostgreSQL/Redis data, service logs and cluster.json.")
    var dataDir = clusterDefault("data-dir") ?? ".data/cluster"

    @Option(help: "Use this PostgreSQL (a superuser URL) instead of starting one.")
    var pgURL: String?

    @Option(help: "Use this Redis instead of starting one.")
    var redisURL: String?

    @Option(help: "Cluster name: databases NAME_inventory, NAME_booking, NAME_payment and Redis prefix NAME:.")
    var name = clusterDefault("name") ?? "boxoffice"

    @Option(help: "Inventory's port; booking +1, payment +2, provider-sim +3. 0 picks free ports.")
    var basePort: Int = clusterDefault("base-port").flatMap { Int($0) } ?? 50051

    @Option(help: "Inventory's hold store: redis or postgres.")
    var store = clusterDefault("store") ?? "redis"

    @Option(name: .customLong("service-env"), parsing: .singleValue,
            help: "SERVICE:KEY=VALUE, an environment variable for one service (repeatable).")
    var serviceEnvironment: [String] = []

    @Flag(help: "Do not restart services that exit.")
    var noRestart = false

    @Flag(help: "Run in the background; return after READY. Stop with 'boxoffice cluster down'.")
    var detach = false

    @Option(help: "Log level of the supervisor's own messages (stderr).")
    var logLevel = "warning"

    func validate() throws {
        _ = try parsedServiceEnvironment()
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown log level '\(logLevel)'") }
        try makeConfiguration(onEvent: { _ in }).validate()
    }

    func run() async throws {
        if detach {
            try ClusterDetach.run(arguments: Array(CommandLine.arguments.dropFirst()).filter { $0 != "--detach" },
                                  dataDirectory: dataDir)
            return
        }
        var logger = Logger(label: "boxoffice.cluster")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
        let signals = ShutdownSignals()
        let configuration = try makeConfiguration(onEvent: Self.print(event:))
        let starting = Task { try await LocalCluster.start(configuration, logger: logger) }
        signals.onSignal { starting.cancel() }
        let cluster: LocalCluster
        do {
            cluster = try await starting.value
        } catch {
            printError(signals.received ? "boxoffice cluster: interrupted while starting; everything it started is stopped"
                                        : "boxoffice cluster: \(error)")
            throw ExitCode.failure
        }
        let supervisor = getpid()
        let dataDirectory = cluster.dataDirectory
        try? cluster.stateFile(supervisorPID: supervisor).write(to: dataDirectory)
        Self.print(line: "READY")
        // Keep cluster.json current while services restart, until a signal arrives.
        let refresher = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                let current = cluster.stateFile(supervisorPID: supervisor)
                if (try? ClusterStateFile.read(from: dataDirectory)) != current { try? current.write(to: dataDirectory) }
            }
        }
        await signals.wait()
        refresher.cancel()
        await refresher.value
        await cluster.stop()
        ClusterStateFile.remove(from: dataDirectory)
        Self.print(line: "STOPPED")
    }

    func makeConfiguration(onEvent: @escaping @Sendable (ClusterEvent) -> Void) throws -> LocalCluster.Configuration {
        var configuration = LocalCluster.Configuration(dataDirectory: dataDir, postgresURL: pgURL ?? clusterDefault("pg-url"),
                                                       redisURL: redisURL ?? clusterDefault("redis-url"),
                                                       name: name, basePort: basePort, store: store)
        configuration.serviceEnvironment = try parsedServiceEnvironment()
        configuration.restartsServices = !noRestart
        configuration.onEvent = onEvent
        return configuration
    }

    func parsedServiceEnvironment() throws -> [ClusterService: [String: String]] {
        var result: [ClusterService: [String: String]] = [:]
        for entry in serviceEnvironment {
            let names = ClusterService.allCases.map(\.name).joined(separator: ", ")
            guard let colon = entry.firstIndex(of: ":"), let equals = entry[colon...].firstIndex(of: "="),
                  let service = ClusterService(name: String(entry[..<colon])) else {
                throw ValidationError("--service-env must be SERVICE:KEY=VALUE with SERVICE one of \(names), got '\(entry)'")
            }
            let key = String(entry[entry.index(after: colon)..<equals])
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw ValidationError("--service-env: '\(key)' is not an environment variable name (in '\(entry)')")
            }
            result[service, default: [:]][key] = String(entry[entry.index(after: equals)...])
        }
        return result
    }

    @Sendable static func print(event: ClusterEvent) {
        switch event {
        case .endpoint(let service, let host, let port): print(line: "ENDPOINT \(service.name) \(host):\(port)")
        case .started(let service, let pid): print(line: "PID \(service.name) \(pid)")
        case .metrics(let service, let port): print(line: "METRICS \(service.name) 127.0.0.1:\(port)")
        case .ready: break  // printed by run() after cluster.json is written
        case .exited(let service, let pid, let status):
            printError("boxoffice cluster: \(service.name) (pid \(pid)) exited with status \(status)")
        case .restarted(let service, let pid): print(line: "RESTARTED \(service.name) \(pid)")
        }
    }

    static func print(line: String) {
        Swift.print(line)
        fflush(nil)
    }
}

/// Prints one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// The environment fallback of a `cluster` flag: `--foo-bar` falls back to `BOXOFFICE_CLUSTER_FOO_BAR`.
///
/// Not `BOXOFFICE_FOO_BAR`: the cluster passes those to the services it spawns, and e.g.
/// `BOXOFFICE_PG_URL` set for tests must not silently turn off the cluster's own PostgreSQL.
func clusterDefault(_ flag: String) -> String? {
    let name = "BOXOFFICE_CLUSTER_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
    return ProcessInfo.processInfo.environment[name]
}
