import ArgumentParser
import BoxOfficeCluster
import BoxOfficeRPC
import Foundation
import Logging

/// `boxoffice drop`: a simulated ticket drop — a crowd through the waiting room, holds and
/// checkout — against a running cluster or one it starts itself, ending with a report checked
/// against the databases.
struct DropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drop",
        abstract: "Run a ticket drop: a crowd of shoppers against a cluster, then a report checked against the databases.",
        discussion: """
            Without --cluster-dir or --inventory/--booking it starts a local cluster of its own (PostgreSQL and Redis from \
            the Debian binaries, or the ones given by --pg-url/--redis-url), runs the drop and stops everything. \
            The report shows sold/unsold, expired holds, payments by outcome, refunds, oversold (from the databases; \
            must be 0), money conserved (captured = confirmed + refunded), throughput and p50/p99 per RPC, and time \
            to sell out. Exits 1 when oversold is not 0 or money is not conserved. Every flag --foo-bar may also be set \
            by BOXOFFICE_DROP_FOO_BAR.
            """)

    @Option(name: .customLong("cluster-dir"), help: "A running cluster's data folder: reads its cluster.json.")
    var clusterDirFlag: String?

    @Option(name: .customLong("inventory"), help: "A running inventory service, HOST:PORT (with --booking and --pg-url).")
    var inventoryFlag: String?

    @Option(name: .customLong("booking"), help: "A running booking service, HOST:PORT (with --inventory and --pg-url).")
    var bookingFlag: String?

    @Option(name: .customLong("pg-url"), help: "PostgreSQL superuser URL: the running cluster's, or the one the drop's own cluster uses.")
    var pgURLFlag: String?

    @Option(name: .customLong("redis-url"), help: "Redis URL for the drop's own cluster (default: it starts one).")
    var redisURLFlag: String?

    @Option(name: .customLong("name"), help: "Cluster name: its databases are NAME_inventory, NAME_booking, NAME_payment (default boxoffice; a fresh one for the drop's own cluster on a given --pg-url).")
    var nameFlag: String?

    @Option(name: .customLong("data-dir"), help: "Data folder of the drop's own cluster (default: a temporary folder, removed afterwards).")
    var dataDirFlag: String?

    @Option(help: "Inventory hold store of the drop's own cluster: redis or postgres.")
    var store = dropDefault("store") ?? "redis"

    @Option(help: "Simulated shoppers.")
    var users = dropDefault("users").flatMap { Int($0) } ?? 50_000

    @Option(help: "Shoppers in flight at once.")
    var concurrency = dropDefault("concurrency").flatMap { Int($0) } ?? 500

    @Option(help: "Reserved seats (in sections of 500).")
    var seats = dropDefault("seats").flatMap { Int($0) } ?? 10_000

    @Option(name: .customLong("ga"), help: "General-admission units.")
    var generalAdmission = dropDefault("ga").flatMap { Int($0) } ?? 2_000

    @Option(help: "Seconds a hold lives.")
    var holdTtl = dropDefault("hold-ttl").flatMap { Double($0) } ?? 20

    @Option(help: "Checkout mix, NAME=WEIGHT,…: approve, decline_card, decline_funds, timeout_charge, timeout_no_charge, webhook_lost, webhook_delayed, webhook_twice, webhook_out_of_order, abandon, cancel.")
    var tokens = dropDefault("tokens") ?? CheckoutMix.standard.description

    @Option(help: "Seed of the crowd's choices.")
    var seed = dropDefault("seed").flatMap { UInt64($0) } ?? 1

    @Option(help: "Most tickets per shopper (the event's per-holder cap).")
    var maxTicketsPerUser = dropDefault("max-tickets-per-user").flatMap { Int($0) } ?? 8

    @Option(help: "Shoppers the waiting room admits per second.")
    var admissionRate = dropDefault("admission-rate").flatMap { Double($0) } ?? 1_000

    @Option(help: "Percent of shoppers who watch the queue with WatchQueue (the rest poll).")
    var watchPercent = dropDefault("watch-percent").flatMap { Int($0) } ?? 30

    @Option(help: "Seconds to wait after the crowd for payments and holds to settle before the audit.")
    var settleTimeout = dropDefault("settle-timeout").flatMap { Double($0) } ?? 120

    @Option(name: .customLong("history"), help: "Write the client history (every call and its outcome) as JSON lines to this file.")
    var historyFlag: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "No progress line on stderr.")
    var quiet = false

    /// `--cluster-dir`, else `BOXOFFICE_DROP_CLUSTER_DIR`.
    var clusterDir: String? { clusterDirFlag ?? dropDefault("cluster-dir") }
    /// `--inventory`, else `BOXOFFICE_DROP_INVENTORY`.
    var inventory: String? { inventoryFlag ?? dropDefault("inventory") }
    /// `--booking`, else `BOXOFFICE_DROP_BOOKING`.
    var booking: String? { bookingFlag ?? dropDefault("booking") }
    /// `--pg-url`, else `BOXOFFICE_DROP_PG_URL`.
    var pgURL: String? { pgURLFlag ?? dropDefault("pg-url") }
    /// `--redis-url`, else `BOXOFFICE_DROP_REDIS_URL`.
    var redisURL: String? { redisURLFlag ?? dropDefault("redis-url") }
    /// `--name`, else `BOXOFFICE_DROP_NAME`.
    var name: String? { nameFlag ?? dropDefault("name") }
    /// `--data-dir`, else `BOXOFFICE_DROP_DATA_DIR`.
    var dataDir: String? { dataDirFlag ?? dropDefault("data-dir") }
    /// `--history`, else `BOXOFFICE_DROP_HISTORY`.
    var history: String? { historyFlag ?? dropDefault("history") }

    func validate() throws {
        do {
            try makeConfiguration().validate()
        } catch let error as DropConfigurationError {
            throw ValidationError(error.message)
        }
        if inventory != nil || booking != nil {
            guard let inventory, ClientEndpoint(inventory) != nil, let booking, ClientEndpoint(booking) != nil else {
                throw ValidationError("--inventory and --booking go together, each HOST:PORT")
            }
            guard pgURL != nil else {
                throw ValidationError("with --inventory/--booking, --pg-url is needed to audit the databases")
            }
            guard clusterDir == nil else { throw ValidationError("--cluster-dir and --inventory/--booking exclude each other") }
        }
        guard ["redis", "postgres"].contains(store) else { throw ValidationError("--store must be redis or postgres") }
        if let name, name.isEmpty || !name.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }) {
            throw ValidationError("--name must be a-z, 0-9 and _, got '\(name)'")
        }
    }

    func makeConfiguration() throws -> DropConfiguration {
        var configuration = DropConfiguration()
        configuration.users = users
        configuration.concurrency = concurrency
        configuration.seats = seats
        configuration.generalAdmission = generalAdmission
        guard holdTtl.isFinite, holdTtl >= 1, holdTtl <= 3600 else { throw DropConfigurationError("--hold-ttl must be 1-3600 seconds") }
        configuration.holdTTL = .milliseconds(Int(holdTtl * 1000))
        configuration.checkoutMix = try CheckoutMix(parsing: tokens)
        configuration.seed = seed
        configuration.maxTicketsPerUser = maxTicketsPerUser
        configuration.admissionRatePerSecond = admissionRate
        configuration.watchQueuePercent = watchPercent
        guard settleTimeout.isFinite, settleTimeout >= 0 else { throw DropConfigurationError("--settle-timeout must be ≥ 0") }
        configuration.settleTimeout = .milliseconds(Int(settleTimeout * 1000))
        return configuration
    }

    func run() async throws {
        let configuration = try makeConfiguration()
        var logger = Logger(label: "boxoffice.drop")
        logger.logLevel = .warning
        let signals = ShutdownSignals()
        let session = DropSession(command: self, configuration: configuration, logger: logger)
        let work = Task { try await session.run() }
        signals.onSignal { work.cancel() }
        let report: DropReport
        do {
            report = try await work.value
        } catch {
            printError(signals.received ? "boxoffice drop: interrupted; everything it started is stopped" : "boxoffice drop: \(error)")
            throw ExitCode.failure
        }
        print(json ? try report.json() : report.text)
        if report.interrupted { printError("boxoffice drop: interrupted; everything it started is stopped") }
        if !report.passed || report.interrupted { throw ExitCode(1) }
    }
}

/// The environment fallback of a `drop` flag: `--foo-bar` falls back to `BOXOFFICE_DROP_FOO_BAR`.
///
/// Not `BOXOFFICE_FOO_BAR`: `BOXOFFICE_PG_URL` set for tests must not turn a self-contained drop
/// into one against some other cluster's databases.
func dropDefault(_ flag: String) -> String? {
    let name = "BOXOFFICE_DROP_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
    return ProcessInfo.processInfo.environment[name]
}
