import BoxOfficeCluster
import BoxOfficeHarness
import BoxOfficeRPC
import Foundation
import Logging

/// One `boxoffice drop` run: finds or starts the cluster, runs the drop with progress on stderr,
/// stops what it started (also when cancelled or failing), and returns the report.
struct DropSession: Sendable {
    let command: DropCommand
    let configuration: DropConfiguration
    let logger: Logger

    func run() async throws -> DropReport {
        if let clusterDir = command.clusterDir {
            guard let state = try ClusterStateFile.read(from: clusterDir) else {
                throw DropConfigurationError("no cluster.json in \(clusterDir): start one with 'boxoffice cluster up --data-dir \(clusterDir) --detach'")
            }
            return try await drop(on: try DropCluster.target(of: state))
        }
        if let inventory = command.inventory.flatMap(ClientEndpoint.init), let booking = command.booking.flatMap(ClientEndpoint.init),
           let pgURL = command.pgURL {
            return try await drop(on: try DropCluster.target(inventory: inventory, booking: booking, postgresURL: pgURL,
                                                             name: command.name ?? "boxoffice"))
        }
        return try await dropOnOwnCluster()
    }

    /// Starts a cluster, drops on it, stops it; a temporary data folder is removed afterwards.
    private func dropOnOwnCluster() async throws -> DropReport {
        let temporary = command.dataDir == nil
        let dataDirectory = command.dataDir ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("boxoffice-drop-\(UInt32.random(in: 0...UInt32.max))").path
        // On a PostgreSQL that may hold other clusters, a fresh name keeps this drop's databases apart.
        let name = command.name ?? (command.pgURL == nil ? "boxoffice" : "drop_\(UInt32.random(in: 0...UInt32.max))")
        var clusterConfiguration = DropCluster.configuration(dataDirectory: dataDirectory, postgresURL: command.pgURL,
                                                             redisURL: command.redisURL, name: name, store: command.store)
        let quiet = command.quiet
        clusterConfiguration.onEvent = { event in
            if !quiet, case .ready = event { printError("boxoffice drop: cluster ready") }
        }
        if !quiet { printError("boxoffice drop: starting a local cluster in \(dataDirectory)") }
        let cluster = try await LocalCluster.start(clusterConfiguration, logger: logger)
        let result: Result<DropReport, any Error>
        do {
            result = .success(try await drop(on: try DropCluster.target(of: cluster)))
        } catch {
            result = .failure(error)
        }
        await cluster.stop()
        if temporary { try? FileManager.default.removeItem(atPath: dataDirectory) }
        if command.name == nil, let pgURL = command.pgURL {
            // Databases under a generated name on someone else's PostgreSQL: nobody else will ever use them.
            for service in [ClusterService.inventory, .booking, .payment] {
                try? await PostgresDatabaseAdmin.dropDatabase("\(name)_\(service.databaseSuffix ?? service.name)", adminURL: pgURL)
            }
        }
        return try result.get()
    }

    private func drop(on target: DropTarget) async throws -> DropReport {
        var runner = DropRunner(target: target, configuration: configuration, logger: logger)
        let writer = try command.history.map { try HistoryWriter(url: URL(fileURLWithPath: $0)) }
        runner.history = writer
        let printer = DropProgressPrinter()
        if !command.quiet {
            runner.onProgress = { printer.show($0) }
            runner.progressInterval = printer.interval
        }
        let result: Result<DropReport, any Error>
        do {
            result = .success(try await runner.run())
        } catch {
            result = .failure(error)
        }
        if !command.quiet { printer.finish() }
        try writer?.close()
        return try result.get()
    }
}
