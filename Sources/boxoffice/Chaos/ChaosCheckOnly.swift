import ArgumentParser
import BoxOfficeCluster
import Foundation
import Logging

/// `boxoffice chaos --check-only`: the history checker alone, over a history file (from `drop
/// --history` or an earlier chaos run) and a cluster's databases, without running anything.
struct ChaosCheckOnly {
    let command: ChaosCommand

    func run() async throws -> CheckReport {
        guard let history = command.history, let postgresURL = command.pgURL else {
            throw ValidationError("--check-only needs --history FILE and --pg-url URL")
        }
        let records = try HistoryRecord.read(contentsOf: URL(fileURLWithPath: history))
        func database(_ suffix: String) throws -> String {
            guard var components = URLComponents(string: postgresURL), components.scheme?.hasPrefix("postgres") == true else {
                throw ValidationError("--pg-url must be a postgresql:// URL, got '\(postgresURL)'")
            }
            components.path = "/\(command.name)_\(suffix)"
            return components.string ?? postgresURL
        }
        let policy = CheckPolicy(sweepIntervalMilliseconds: 1000, toleranceMilliseconds: 2000,
                                 checksHotStore: command.store == "redis" && command.redisURL != nil)
        let sources = AuditSources(inventoryDatabaseURL: try database("inventory"), bookingDatabaseURL: try database("booking"),
                                   paymentDatabaseURL: try database("payment"), redisURL: command.redisURL,
                                   redisPrefix: command.name + ":inventory:")
        var logger = Logger(label: "boxoffice.chaos.check")
        logger.logLevel = .warning
        let snapshot = try await AuditReader(sources: sources, policy: policy, logger: logger).read(history: records.map(ObservedCall.init))
        return HistoryChecker(policy: policy).report(snapshot)
    }
}
