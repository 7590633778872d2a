internal import Foundation
public import BoxOfficeHarness
public import BoxOfficeRPC
public import Logging
internal import Synchronization

/// A BoxOffice cluster on this machine: PostgreSQL and Redis (started from the Debian binaries in
/// a data folder, or given by URL), the three service databases, and the four service processes,
/// supervised and restarted when they exit.
///
/// `boxoffice cluster up`, `boxoffice drop` and the integration tests all use this type. Every
/// service runs in a process group of its own, with its output in `<data>/logs/<service>.log`;
/// ``stop()`` SIGTERMs each group, SIGKILLs it after the grace period, then stops the servers it
/// started, so nothing is left behind.
public final class LocalCluster: Sendable {
    /// What the cluster was started with.
    public let configuration: Configuration
    /// Ports, URLs and secrets the services were started with.
    public let plan: ClusterPlan
    /// The absolute data folder.
    public let dataDirectory: String
    /// Where each service listens.
    public let endpoints: [ClusterService: ClientEndpoint]
    private let backing: BackingServers
    private let logger: Logger
    private let state = Mutex(State())

    private struct Running {
        var child: ChildProcess
        var metricsPort: Int?
        var restarts = 0
        var restartRequested = false
    }

    private struct State {
        var running: [ClusterService: Running] = [:]
        var supervisors: [ClusterService: Task<Void, Never>] = [:]
        var stopping = false
        var stopped = false
    }

    private init(configuration: Configuration, plan: ClusterPlan, dataDirectory: String, backing: BackingServers, logger: Logger) {
        self.configuration = configuration
        self.plan = plan
        self.dataDirectory = dataDirectory
        self.backing = backing
        self.logger = logger
        self.endpoints = plan.ports.mapValues { ClientEndpoint(host: "127.0.0.1", port: $0) }
    }

    /// The PostgreSQL superuser URL the cluster uses.
    public var postgresURL: String { plan.postgresURL }
    /// The Redis URL the cluster uses.
    public var redisURL: String { plan.redisURL }
    /// Whether the cluster started (and will stop) PostgreSQL itself.
    public var startedPostgres: Bool { backing.postgres != nil }
    /// The PostgreSQL server the cluster started (nil when given by URL), for fault injection.
    public var postgresServer: PostgresServer? { backing.postgres }
    /// The Redis server the cluster started (nil when given by URL), for fault injection.
    public var redisServer: RedisServer? { backing.redis }
    /// Whether the cluster started (and will stop) Redis itself.
    public var startedRedis: Bool { backing.redis != nil }

    /// Starts everything and returns once every service answers health SERVING.
    ///
    /// Checks flags, ports and binaries before starting anything; on any failure stops what it
    /// started and throws a ``ClusterError`` that says what to do.
    public static func start(_ configuration: Configuration,
                             logger: Logger = Logger(label: "boxoffice.cluster")) async throws -> LocalCluster {
        try configuration.validate()
        let files = FileManager.default
        let executable = configuration.executable ?? Configuration.defaultExecutable()
        if configuration.command == nil, !files.isExecutableFile(atPath: executable) {
            throw ClusterError.invalidConfiguration(
                "the boxoffice executable \(executable) does not exist: build it with `swift build`, or set BOXOFFICE_EXECUTABLE")
        }
        let dataDirectory = URL(fileURLWithPath: configuration.dataDirectory, relativeTo: URL(fileURLWithPath: files.currentDirectoryPath))
            .standardizedFileURL.path
        do {
            try files.createDirectory(atPath: dataDirectory + "/logs", withIntermediateDirectories: true)
        } catch {
            throw ClusterError.invalidConfiguration("cannot create the data folder \(dataDirectory): \(error)")
        }
        if let running = try? ClusterStateFile.read(from: dataDirectory), running.supervisorPID != getpid(),
           Foundation.kill(running.supervisorPID, 0) == 0 {
            throw ClusterError.invalidConfiguration(
                "a cluster already runs from \(dataDirectory) (supervisor pid \(running.supervisorPID)): stop it first "
                    + "(Ctrl-C, or `boxoffice cluster down --data-dir \(dataDirectory)`), or use another --data-dir")
        }
        let ports = try ClusterPorts.choose(base: configuration.basePort, services: configuration.services)
        try BackingServers.checkBinaries(configuration)
        let backing = try await BackingServers.start(configuration, dataDirectory: dataDirectory, logger: logger)
        var databaseURLs: [ClusterService: String] = [:]
        do {
            for service in configuration.services {
                guard let suffix = service.databaseSuffix else { continue }
                databaseURLs[service] = try await PostgresDatabaseAdmin.ensureDatabase(
                    "\(configuration.name)_\(suffix)", adminURL: backing.postgresURL)
            }
        } catch {
            await backing.stop(logger: logger)
            throw ClusterError.databaseFailed("could not create the service databases on \(backing.postgresURL): \(error)")
        }
        let plan = ClusterPlan(
            name: configuration.name, executable: executable, ports: ports, postgresURL: backing.postgresURL,
            redisURL: backing.redisURL, store: configuration.store, admissionSecret: configuration.admissionSecret,
            webhookSecret: configuration.webhookSecret, databaseURLs: databaseURLs, servesMetrics: configuration.servesMetrics)
        let cluster = LocalCluster(configuration: configuration, plan: plan, dataDirectory: dataDirectory, backing: backing, logger: logger)
        do {
            try await cluster.launchAll()
        } catch {
            await cluster.stop()
            throw error
        }
        return cluster
    }

    /// The process id of `service`'s current process, nil when it is not running.
    public func pid(of service: ClusterService) -> Int32? {
        state.withLock { state in
            guard let running = state.running[service], running.child.exitStatus == nil else { return nil }
            return running.child.pid
        }
    }

    /// The port `service` serves `/metrics` on, once it printed it.
    public func metricsPort(of service: ClusterService) -> Int? {
        state.withLock { $0.running[service]?.metricsPort }
    }

    /// How many times `service` was started again after exiting.
    public func restartCount(of service: ClusterService) -> Int {
        state.withLock { $0.running[service]?.restarts ?? 0 }
    }

    /// `<data>/logs/<service>.log`: everything the service printed, across restarts.
    public func logPath(of service: ClusterService) -> String {
        dataDirectory + "/logs/\(service.name).log"
    }

    /// The URL of `service`'s own database (nil for provider-sim).
    public func databaseURL(of service: ClusterService) -> String? {
        plan.databaseURLs[service]
    }

    /// Sends `signal` (SIGKILL by default) to `service`'s process, as a crash or chaos test does.
    /// The supervisor restarts it unless restarts are off.
    public func kill(_ service: ClusterService, signal: Int32 = 9 /* SIGKILL */) throws {
        guard let child = state.withLock({ $0.running[service]?.child }) else { throw ClusterError.unknownService(service) }
        child.signal(signal)
    }

    /// Stops `service` gracefully, starts it again and waits until it is SERVING; returns the new pid.
    @discardableResult
    public func restart(_ service: ClusterService, timeout: Duration = .seconds(60)) async throws -> Int32 {
        guard let child = state.withLock({ state -> ChildProcess? in
            state.running[service]?.restartRequested = true
            return state.running[service]?.child
        }) else { throw ClusterError.unknownService(service) }
        await child.terminate(grace: configuration.stopGracePeriod)
        let deadline = ContinuousClock.now + timeout
        while pid(of: service) == nil || pid(of: service) == child.pid {
            guard ContinuousClock.now < deadline else {
                throw ClusterError.serviceFailed(service, detail: "was not started again within \(timeout)",
                                                 logPath: logPath(of: service), logTail: ServiceLogScanner.tail(logPath(of: service)))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await waitUntilServing(service, timeout: deadline - ContinuousClock.now)
        return pid(of: service) ?? 0
    }

    /// Waits until `service` answers health SERVING.
    /// - Throws: ``ClusterError/serviceFailed(_:detail:logPath:logTail:)`` after `timeout`.
    public func waitUntilServing(_ service: ClusterService, timeout: Duration = .seconds(30)) async throws {
        guard let endpoint = endpoints[service] else { throw ClusterError.unknownService(service) }
        let deadline = ContinuousClock.now + timeout
        while !(await HealthProbe.isServing(endpoint)) {
            guard ContinuousClock.now < deadline else {
                throw ClusterError.serviceFailed(service, detail: "did not answer health SERVING within \(timeout)",
                                                 logPath: logPath(of: service), logTail: ServiceLogScanner.tail(logPath(of: service)))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops every service (SIGTERM to its group, SIGKILL after the grace period), then the
    /// PostgreSQL and Redis the cluster started. Safe to call more than once.
    public func stop() async {
        let (children, supervisors, first) = state.withLock { state in
            defer { state.stopping = true }
            return (Array(state.running.values.map(\.child)), Array(state.supervisors.values), !state.stopping)
        }
        guard first else {
            while !state.withLock({ $0.stopped }) { try? await Task.sleep(for: .milliseconds(20)) }
            return
        }
        let grace = configuration.stopGracePeriod
        await withTaskGroup(of: Void.self) { group in
            for child in children { group.addTask { await child.terminate(grace: grace) } }
        }
        for supervisor in supervisors { await supervisor.value }
        // A supervisor may have spawned a replacement just before stopping was set.
        let late = state.withLock { Array($0.running.values.map(\.child)) }
        for child in late where child.exitStatus == nil { await child.terminate(grace: grace) }
        await backing.stop(logger: logger)
        state.withLock { $0.stopped = true }
    }

    // MARK: Starting and supervising

    private func launchAll() async throws {
        let services = configuration.services
        for service in services {
            configuration.onEvent(.endpoint(service, host: "127.0.0.1", port: plan.ports[service] ?? 0))
        }
        var spawned: [(ClusterService, ChildProcess, ServiceLogScanner)] = []
        for service in services {
            let (child, scanner) = try spawn(service)
            state.withLock { $0.running[service] = Running(child: child) }
            configuration.onEvent(.started(service, pid: child.pid))
            spawned.append((service, child, scanner))
        }
        let timeout = configuration.startTimeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (service, child, scanner) in spawned {
                group.addTask { try await self.awaitServing(service, child: child, scanner: scanner, timeout: timeout) }
            }
            try await group.waitForAll()
        }
        configuration.onEvent(.ready)
        state.withLock { state in
            for service in services {
                state.supervisors[service] = Task { await self.supervise(service) }
            }
        }
    }

    /// Starts `service`'s process; the scanner reads its log from where this process starts writing.
    private func spawn(_ service: ClusterService) throws -> (ChildProcess, ServiceLogScanner) {
        var command = configuration.command?(service, plan) ?? plan.defaultCommand(for: service)
        // Names the cluster in every process (found by `cluster down` checks and leak tests).
        command.environment["BOXOFFICE_CLUSTER_NAME"] = plan.name
        for (key, value) in configuration.serviceEnvironment[service] ?? [:] { command.environment[key] = value }
        let path = logPath(of: service)
        let banner = "=== boxoffice cluster: starting \(service) at \(Date()): \(command.executable) \(command.arguments.joined(separator: " "))\n"
        if let handle = FileHandle(forWritingAtPath: path) ?? (FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil) {
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: Data(banner.utf8))
            try? handle.close()
        }
        let scanner = ServiceLogScanner(path: path)
        do {
            return (try ChildProcess.spawn(command, logPath: path), scanner)
        } catch {
            throw ClusterError.serviceFailed(service, detail: "could not be started: \(error)", logPath: path, logTail: "")
        }
    }

    /// Waits for the `LISTENING` line (noting `METRICS`), then for health SERVING; throws when the
    /// process exits first or `timeout` passes.
    private func awaitServing(_ service: ClusterService, child: ChildProcess, scanner: ServiceLogScanner, timeout: Duration) async throws {
        var scanner = scanner
        let deadline = ContinuousClock.now + timeout
        var listening = false
        let endpoint = endpoints[service]!
        while true {
            if let status = child.exitStatus {
                throw ClusterError.serviceFailed(service, detail: "exited with status \(status) before serving",
                                                 logPath: scanner.path, logTail: ServiceLogScanner.tail(scanner.path))
            }
            let found = scanner.scan()
            if let metrics = found.metrics {
                state.withLock { $0.running[service]?.metricsPort = metrics }
                configuration.onEvent(.metrics(service, port: metrics))
            }
            if found.listening != nil { listening = true }
            if listening, await HealthProbe.isServing(endpoint) { return }
            guard ContinuousClock.now < deadline else {
                throw ClusterError.serviceFailed(
                    service, detail: listening ? "did not answer health SERVING within \(timeout)" : "did not print LISTENING within \(timeout)",
                    logPath: scanner.path, logTail: ServiceLogScanner.tail(scanner.path))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits for the service's process to exit; unless the cluster is stopping, starts it again
    /// (with a growing pause when it keeps crashing right after start).
    private func supervise(_ service: ClusterService) async {
        var quickExits = 0
        while true {
            guard let child = state.withLock({ $0.running[service]?.child }) else { return }
            let started = ContinuousClock.now
            let status = await child.waitForExit()
            let (stopping, requested) = state.withLock { state in
                defer { state.running[service]?.restartRequested = false }
                return (state.stopping, state.running[service]?.restartRequested ?? false)
            }
            if stopping { return }
            if !requested {
                configuration.onEvent(.exited(service, pid: child.pid, status: status))
                logger.info("service exited", metadata: ["service": "\(service)", "pid": "\(child.pid)", "status": "\(status)"])
                guard configuration.restartsServices else { return }
                quickExits = ContinuousClock.now - started < .seconds(10) ? quickExits + 1 : 0
                if quickExits > 1 {
                    try? await Task.sleep(for: min(.seconds(5), .milliseconds(250) * (1 << min(quickExits - 2, 5))))
                }
            }
            let replacement: (ChildProcess, ServiceLogScanner)?
            do {
                replacement = try state.withLock { state -> (ChildProcess, ServiceLogScanner)? in
                    guard !state.stopping else { return nil }
                    let next = try spawn(service)
                    state.running[service]?.child = next.0
                    state.running[service]?.restarts += 1
                    state.running[service]?.metricsPort = nil
                    return next
                }
            } catch {
                logger.error("service could not be started again", metadata: ["service": "\(service)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            guard case let (child, scanner)? = replacement else { return }
            configuration.onEvent(.restarted(service, pid: child.pid))
            // Note the new metrics port; a replacement that does not come up is seen exiting above.
            try? await awaitServing(service, child: child, scanner: scanner, timeout: configuration.startTimeout)
        }
    }
}
