import BoxOfficeRPC
import Foundation
public import Logging

/// Runs a chaos run end to end: starts PostgreSQL, Redis and the cluster, runs the drop while the
/// fault plan plays, waits (bounded) for the system to converge, checks the client history and the
/// stores, and stops everything it started — also when something fails.
public struct ChaosRunner: Sendable {
    /// What the run does.
    public let configuration: ChaosConfiguration
    /// Receives progress lines (cluster start, each fault, convergence).
    public var onEvent: (@Sendable (String) -> Void)?
    private let logger: Logger

    /// Creates a value from its fields.
    public init(configuration: ChaosConfiguration, logger: Logger = Logger(label: "boxoffice.chaos")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs, and returns the report (which says whether the invariants held).
    /// - Throws: the validation error before anything starts; a cluster start failure (after stopping
    ///   what was started).
    public func run() async throws -> ChaosReport {
        let plan = try configuration.validate()
        let dataDirectory = URL(fileURLWithPath: configuration.dataDirectory).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        if configuration.schedule.faults.contains(where: \.needsNetworkNamespace) {
            guard configuration.insideNetworkNamespace else {
                throw ChaosError.missingPrivileges("network faults must run inside the namespace `boxoffice chaos` creates")
            }
            try await NetworkSandbox.prepareRules()
        }
        var servers: ChaosServers?
        if configuration.postgresURL == nil || configuration.redisURL == nil {
            onEvent?("starting PostgreSQL and Redis in \(dataDirectory)")
            servers = try await ChaosServers.start(dataDirectory: dataDirectory, logger: logger)
        }
        var clusterConfiguration = DropCluster.configuration(
            dataDirectory: dataDirectory, postgresURL: configuration.postgresURL ?? servers?.postgres.url(),
            redisURL: configuration.redisURL ?? servers?.redis.url, name: configuration.name, store: configuration.store)
        clusterConfiguration.executable = configuration.executable
        let onEvent = self.onEvent
        clusterConfiguration.onEvent = { event in
            if case .exited(let service, let pid, let status) = event { onEvent?("EXITED \(service) \(pid) status \(status)") }
        }
        let cluster: LocalCluster
        do {
            cluster = try await LocalCluster.start(clusterConfiguration, logger: logger)
        } catch {
            await servers?.stop()
            throw error
        }
        onEvent?("cluster ready: " + cluster.endpoints.sorted { $0.key.name < $1.key.name }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        do {
            let report = try await run(plan: plan, cluster: cluster, servers: servers, dataDirectory: dataDirectory)
            await cluster.stop()
            await servers?.stop()
            return report
        } catch {
            await cluster.stop()
            await servers?.stop()
            throw error
        }
    }

    private func run(plan: FaultPlan, cluster: LocalCluster, servers: ChaosServers?, dataDirectory: String) async throws -> ChaosReport {
        let historyPath = configuration.historyPath ?? dataDirectory + "/history.jsonl"
        let history = try HistoryWriter(url: URL(fileURLWithPath: historyPath))
        var runner = DropRunner(target: try DropCluster.target(of: cluster), configuration: configuration.dropWithTroubles, logger: logger)
        runner.history = history
        let probe = try await InventoryHoldProbe.start(cluster: cluster, inventory: try endpoint(.inventory, of: cluster))
        var player = FaultPlayer(plan: plan, injector: ClusterFaultInjector(cluster: cluster, servers: servers,
                                                                           lossPercent: configuration.lossPercent, logger: logger),
                                 probe: probe, logger: logger)
        player.onEvent = onEvent
        onEvent?("drop starts; faults: " + (plan.lines.isEmpty ? "none" : plan.lines.joined(separator: "; ")))
        let start = ContinuousClock.now
        async let outcomes = player.play(from: start)
        let dropResult: Result<DropReport, any Error>
        do {
            dropResult = .success(try await runner.run())
        } catch {
            dropResult = .failure(error)
        }
        var faults = await outcomes
        await probe.close()
        try? history.close()

        let records = (try? HistoryRecord.read(contentsOf: URL(fileURLWithPath: historyPath))) ?? []
        for index in faults.indices {
            faults[index].crowdRecoverySeconds = RecoveryTime.afterFault(endedAt: faults[index].endedAt, history: records)
        }
        let observed = records.map(ObservedCall.init)
        let (check, converged) = try await converge(cluster: cluster, history: observed)
        var dropReport: DropReport?
        var dropError: String?
        switch dropResult {
        case .success(let report): dropReport = report
        case .failure(let error): dropError = "\(error)"
        }
        return ChaosReport(plan: plan, faults: faults, drop: dropReport, dropError: dropError, check: check,
                           convergenceSeconds: converged, recoveryGoalSeconds: Double(configuration.recoveryGoal.components.seconds),
                           historyFile: historyPath)
    }

    private func endpoint(_ service: ClusterService, of cluster: LocalCluster) throws -> ClientEndpoint {
        guard let endpoint = cluster.endpoints[service] else { throw ClusterError.unknownService(service) }
        return endpoint
    }

    /// Checks until nothing is left in flight (or the timeout), then returns the last check.
    private func converge(cluster: LocalCluster, history: [ObservedCall]) async throws -> (CheckReport, Double) {
        guard let inventory = cluster.databaseURL(of: .inventory), let booking = cluster.databaseURL(of: .booking),
              let payment = cluster.databaseURL(of: .payment) else {
            throw AuditReadError(message: "the cluster has no inventory, booking and payment databases to check")
        }
        let sources = AuditSources(inventoryDatabaseURL: inventory, bookingDatabaseURL: booking, paymentDatabaseURL: payment,
                                   redisURL: configuration.store == "redis" ? cluster.redisURL : nil, redisPrefix: configuration.name + ":inventory:")
        let policy = configuration.policy
        let reader = AuditReader(sources: sources, policy: policy, logger: logger)
        let checker = HistoryChecker(policy: policy)
        let started = ContinuousClock.now
        let deadline = started + configuration.convergeTimeout
        var lastError: (any Error)?
        var report: CheckReport?
        while true {
            do {
                report = checker.report(try await reader.read(history: history))
                lastError = nil
            } catch {
                lastError = error  // A store still restarting: try again until the deadline.
            }
            if let report, !report.violations.contains(where: Self.mayStillSettle) { break }
            guard ContinuousClock.now < deadline else { break }
            let remaining = report.map { $0.violations.count(where: Self.mayStillSettle) } ?? -1
            onEvent?("converging: \(remaining >= 0 ? "\(remaining) things still in flight" : "stores not readable yet")")
            try await Task.sleep(for: .seconds(2))
        }
        let seconds = Double((ContinuousClock.now - started).components.seconds)
        guard let report else { throw lastError ?? AuditReadError(message: "the stores could not be read") }
        return (report, seconds)
    }

    /// Violations that time can still cure (a saga finishing, a sweeper catching up, Redis rebuilt);
    /// anything else is final.
    private static func mayStillSettle(_ violation: InvariantViolation) -> Bool {
        switch violation.kind {
        case .sagaNotTerminal, .staleHold, .unresolvedUnknownOutcome, .hotStoreDrift, .capturedWithoutOutcome, .ticketMoneyMismatch:
            true
        default:
            false
        }
    }
}
