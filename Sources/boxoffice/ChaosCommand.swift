import ArgumentParser
import BoxOfficeCluster
import Foundation
import Logging

/// `boxoffice chaos`: a ticket drop on a cluster of its own while a seeded fault schedule plays, then
/// a check of the client history and the databases against BoxOffice's invariants.
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Run a ticket drop under injected faults, then check nothing was lost, oversold or left unresolved.",
        discussion: """
            Starts PostgreSQL, Redis and the four services in --data-dir, runs a drop while the faults play (one after \
            another, each at a seeded moment, each followed by a recovery window), waits up to --converge-timeout for \
            sagas, payments and holds to settle, then checks: no seat or GA unit sold twice and sold <= capacity; every \
            acknowledged CONFIRMED booking present; every captured charge one confirmed booking or one refund; no \
            booking charged twice; every unknown client outcome settled; every saga terminal; no unpinned hold past its \
            TTL plus the sweep interval; Redis agreeing with PostgreSQL. Reports each fault's recovery time (until holds \
            are served again). Exits 1 on any violation.

            Faults: \(FaultKind.all.map(\.description).joined(separator: ", ")); `all` for every one. \
            blackhole:/loss: need root: the whole run then happens inside a network namespace it creates and deletes. \
            Every flag --foo-bar may also be set by BOXOFFICE_CHAOS_FOO_BAR.
            """)

    @Option(help: "Faults, comma-separated (a name twice injects it twice).")
    var faults = chaosDefault("faults") ?? "kill:booking,kill:inventory,pause:payment,postgres-restart,redis-flushall"

    @Option(help: "Seed of the schedule and of the crowd.")
    var seed = chaosDefault("seed").flatMap { UInt64($0) } ?? 1

    @Option(help: "Seconds of the drop over which the faults are spread.")
    var duration = chaosDefault("duration").flatMap { Double($0) } ?? 120

    @Option(help: "Seconds a lasting fault lasts (pause, restarts, blackhole, loss); above the 10 s call deadline by default.")
    var faultDuration = chaosDefault("fault-duration").flatMap { Double($0) } ?? 12

    @Option(help: "Quiet seconds after each fault before the next one.")
    var recoveryWindow = chaosDefault("recovery-window").flatMap { Double($0) } ?? 10

    @Option(help: "Percent of packets a loss: fault drops.")
    var lossPercent = chaosDefault("loss-percent").flatMap { Int($0) } ?? 30

    @Option(help: "Seconds to wait after the drop for everything to settle before the final check.")
    var convergeTimeout = chaosDefault("converge-timeout").flatMap { Double($0) } ?? 90

    @Option(help: "Recovery goal in seconds (reported, not failed on).")
    var recoveryGoal = chaosDefault("recovery-goal").flatMap { Double($0) } ?? 10

    @Option(help: "Simulated shoppers.")
    var users = chaosDefault("users").flatMap { Int($0) } ?? 3_000

    @Option(help: "Shoppers in flight at once.")
    var concurrency = chaosDefault("concurrency").flatMap { Int($0) } ?? 100

    @Option(help: "Reserved seats.")
    var seats = chaosDefault("seats").flatMap { Int($0) } ?? 1_000

    @Option(name: .customLong("ga"), help: "General-admission units.")
    var generalAdmission = chaosDefault("ga").flatMap { Int($0) } ?? 200

    @Option(help: "Seconds a hold lives.")
    var holdTtl = chaosDefault("hold-ttl").flatMap { Double($0) } ?? 10

    @Option(help: "Shoppers the waiting room admits per second (low values stretch the drop over the schedule).")
    var admissionRate = chaosDefault("admission-rate").flatMap { Double($0) } ?? 30

    @Option(help: "Inventory hold store: redis or postgres.")
    var store = chaosDefault("store") ?? "redis"

    @Option(help: "Data folder (default: a temporary folder, removed after a passing run).")
    var dataDir: String?

    @Option(help: "Cluster name (databases NAME_inventory, …).")
    var name = chaosDefault("name") ?? "chaos"

    @Option(name: .customLong("pg-url"), help: "Use this PostgreSQL instead of starting one (postgres-restart is then refused).")
    var pgURL: String?

    @Option(name: .customLong("redis-url"), help: "Use this Redis instead of starting one (redis faults are then refused).")
    var redisURL: String?

    @Option(help: "Where to write the client history (default DATA/history.jsonl).")
    var history: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Run no drop: check --history against the databases of the cluster NAME on --pg-url (and Redis on --redis-url).")
    var checkOnly = false

    func validate() throws {
        if checkOnly {
            guard history != nil, pgURL != nil else { throw ValidationError("--check-only needs --history FILE and --pg-url URL") }
            return
        }
        do {
            _ = try makeConfiguration(dataDirectory: "/nonexistent").validate()
        } catch let error as ChaosError {
            throw ValidationError(error.description)
        } catch let error as DropConfigurationError {
            throw ValidationError(error.message)
        }
    }

    func makeConfiguration(dataDirectory: String) throws -> ChaosConfiguration {
        func seconds(_ value: Double, _ flag: String) throws -> Duration {
            guard value.isFinite, value >= 0, value <= 86_400 else { throw ChaosError.invalidSchedule("--\(flag) must be 0-86400 seconds") }
            return .milliseconds(Int64(value * 1000))
        }
        var drop = DropConfiguration()
        drop.users = users
        drop.concurrency = concurrency
        drop.seats = seats
        drop.generalAdmission = generalAdmission
        drop.holdTTL = try seconds(holdTtl, "hold-ttl")
        drop.seed = seed
        drop.admissionRatePerSecond = admissionRate
        drop.settleTimeout = .seconds(30)
        let schedule = FaultSchedule(faults: try FaultSchedule.parseFaults(faults), seed: seed,
                                     dropDuration: try seconds(duration, "duration"),
                                     faultDuration: try seconds(faultDuration, "fault-duration"),
                                     recoveryWindow: try seconds(recoveryWindow, "recovery-window"))
        var configuration = ChaosConfiguration(drop: drop, schedule: schedule, dataDirectory: dataDirectory)
        configuration.name = name
        configuration.store = store
        configuration.postgresURL = pgURL
        configuration.redisURL = redisURL
        configuration.lossPercent = lossPercent
        configuration.convergeTimeout = try seconds(convergeTimeout, "converge-timeout")
        configuration.recoveryGoal = try seconds(recoveryGoal, "recovery-goal")
        configuration.historyPath = history
        return configuration
    }

    func run() async throws {
        if checkOnly {
            let report = try await ChaosCheckOnly(command: self).run()
            print(json ? try report.json() : report.description)
            if !report.passed { throw ExitCode(1) }
            return
        }
        let temporary = dataDir == nil
        let dataDirectory = dataDir ?? FileManager.default.temporaryDirectory.appendingPathComponent("boxoffice-chaos-\(UUID().uuidString.prefix(8))").path
        let configuration = try makeConfiguration(dataDirectory: dataDirectory)
        let plan = try configuration.validate()
        if configuration.schedule.faults.contains(where: \.needsNetworkNamespace), !configuration.insideNetworkNamespace {
            let status = try await ChaosNamespaceLauncher.runInsideNamespace(extraArguments: dataDir == nil ? ["--data-dir", dataDirectory] : [])
            if temporary, status == 0 { try? FileManager.default.removeItem(atPath: dataDirectory) }
            throw ExitCode(status)
        }
        var logger = Logger(label: "boxoffice.chaos")
        logger.logLevel = .warning
        var runner = ChaosRunner(configuration: configuration, logger: logger)
        runner.onEvent = { line in ChaosCommand.say("chaos: \(line)") }
        ChaosCommand.say("chaos: plan (seed \(plan.seed)):\n" + plan.lines.map { "  " + $0 }.joined(separator: "\n"))
        let signals = ShutdownSignals()
        let work = Task { try await runner.run() }
        signals.onSignal { work.cancel() }
        let report: ChaosReport
        do {
            report = try await work.value
        } catch {
            ChaosCommand.say(signals.received ? "boxoffice chaos: interrupted; everything it started is stopped" : "boxoffice chaos: \(error)")
            ChaosCommand.say("boxoffice chaos: logs and data are in \(dataDirectory)")
            throw ExitCode.failure
        }
        print(json ? try report.json() : report.text)
        if !report.passed {
            ChaosCommand.say("boxoffice chaos: logs, data and history are in \(dataDirectory)")
            throw ExitCode(1)
        }
        if temporary { try? FileManager.default.removeItem(atPath: dataDirectory) }
    }
}

/// The environment fallback of a `chaos` flag: `--foo-bar` falls back to `BOXOFFICE_CHAOS_FOO_BAR`.
func chaosDefault(_ flag: String) -> String? {
    let name = "BOXOFFICE_CHAOS_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
    return ProcessInfo.processInfo.environment[name]
}

extension ChaosCommand {
    /// Writes a progress or error line to stderr (stdout carries only the report).
    static func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
