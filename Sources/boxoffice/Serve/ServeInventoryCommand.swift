import ArgumentParser
import BoxOfficeInventory
import BoxOfficeRPC
import BoxOfficeServiceKit
import Logging

/// `boxoffice serve inventory`: seats, holds, confirm, release and expiry over gRPC.
///
/// Migrates its database, (redis store) loads every event into Redis from PostgreSQL, then serves
/// `boxoffice.inventory.v1.InventoryService` beside the expiry sweeper and the drift check.
struct ServeInventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Serve boxoffice.inventory.v1.InventoryService (default port 50051).")

    @OptionGroup var options: ServeOptions

    @Option(help: "The inventory database URL (env BOXOFFICE_PG_URL).")
    var pgURL = environmentDefault("pg-url") ?? "postgresql://postgres@127.0.0.1:5432/boxoffice_inventory"

    @Option(help: "Redis URL, used by --store redis (env BOXOFFICE_REDIS_URL).")
    var redisURL = environmentDefault("redis-url") ?? "redis://127.0.0.1:6379"

    @Option(help: "Prefix of every Redis key, e.g. 'boxoffice:' (env BOXOFFICE_REDIS_PREFIX).")
    var redisPrefix = environmentDefault("redis-prefix") ?? "boxoffice:"

    @Option(help: "Which store decides holds: redis or postgres (env BOXOFFICE_STORE).")
    var store = environmentDefault("store") ?? "redis"

    @Option(help: "Milliseconds between expiry sweeps (env BOXOFFICE_SWEEP_INTERVAL_MS).")
    var sweepIntervalMs = environmentDefault("sweep-interval-ms").flatMap { Int($0) } ?? 1_000

    @Option(help: "Milliseconds between Redis/PostgreSQL drift checks, redis store only (env BOXOFFICE_DRIFT_CHECK_INTERVAL_MS).")
    var driftCheckIntervalMs = environmentDefault("drift-check-interval-ms").flatMap { Int($0) } ?? 30_000

    @Option(help: "PostgreSQL connections in the pool (env BOXOFFICE_PG_CONNECTIONS).")
    var pgConnections = environmentDefault("pg-connections").flatMap { Int($0) } ?? 16

    func validate() throws {
        guard HoldStoreKind(rawValue: store) != nil else { throw ValidationError("--store must be redis or postgres, got '\(store)'") }
        guard (10...3_600_000).contains(sweepIntervalMs) else { throw ValidationError("--sweep-interval-ms must be 10-3600000") }
        guard (100...86_400_000).contains(driftCheckIntervalMs) else {
            throw ValidationError("--drift-check-interval-ms must be 100-86400000")
        }
        guard (1...512).contains(pgConnections) else { throw ValidationError("--pg-connections must be 1-512") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: options.logLevel) ?? .info
        ServiceHost.bootstrapLogging(format: LogFormat(rawValue: options.logFormat) ?? .json, level: level)
        ServiceHost.bootstrapMetrics()
        var logger = Logger(label: "boxoffice.inventory")
        logger.logLevel = level
        let kind = HoldStoreKind(rawValue: store) ?? .redis
        let runtime = try await InventoryRuntime.start(
            .init(postgresURL: pgURL, store: kind, redisURL: redisURL, redisPrefix: redisPrefix, postgresConnections: pgConnections),
            logger: logger)
        var router = RPCRouter()
        InventoryGRPCService(inventory: runtime.inventory).registerMethods(with: &router)
        let sweeper = RecurringWork(name: "expiry-sweeper", interval: .milliseconds(sweepIntervalMs), logger: logger) {
            try await runtime.sweepRound()
        }
        let driftCheck = RecurringWork(name: "drift-check", interval: .milliseconds(driftCheckIntervalMs), logger: logger) {
            try await runtime.driftRound()
        }
        let host = ServiceHost(
            configuration: .init(name: "inventory", host: options.host, port: options.port(default: 50051),
                                 metricsPort: options.metricsPortInEffect, shutdownGracePeriod: .seconds(options.shutdownGrace)),
            logger: logger)
        do {
            try await host.run(router: router, background: kind == .redis ? [sweeper, driftCheck] : [sweeper])
        } catch {
            await runtime.shutdown()
            throw error
        }
        await runtime.shutdown()
    }
}
