import BoxOfficeCluster
import BoxOfficeHarness
import Foundation
import Synchronization

/// Runs clusters whose services are stand-ins (`boxoffice interop-server`: health, reflection,
/// LISTENING), so the supervisor is tested without the real services.
enum StandIn {
    /// A configuration on the shared test servers, free ports, a unique name and data folder.
    static func configuration(_ label: String, events: EventLog) async throws -> LocalCluster.Configuration {
        let name = "ct_\(label)_\(UInt32.random(in: 0...UInt32.max))"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("boxoffice-\(name)").path
        var configuration = LocalCluster.Configuration(
            dataDirectory: directory, postgresURL: try await PostgresTestEnvironment.sharedURL(),
            redisURL: try await RedisTestEnvironment.sharedURL(), name: name, basePort: 0)
        configuration.command = { service, plan in
            ServiceCommand(executable: plan.executable,
                           arguments: ["interop-server", "--port", "\(plan.ports[service]!)", "--log-level", "warning"])
        }
        configuration.stopGracePeriod = .seconds(2)
        configuration.startTimeout = .seconds(30)
        configuration.onEvent = { events.append($0) }
        return configuration
    }

    /// Runs `body`, then drops the cluster's databases and removes its data folder (also when it throws).
    static func withCleanUp(_ configuration: LocalCluster.Configuration, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await cleanUp(configuration)
            throw error
        }
        await cleanUp(configuration)
    }

    /// Drops the cluster's databases and removes its data folder.
    static func cleanUp(_ configuration: LocalCluster.Configuration) async {
        if let url = configuration.postgresURL {
            for suffix in ["inventory", "booking", "payment"] {
                try? await PostgresDatabaseAdmin.dropDatabase("\(configuration.name)_\(suffix)", adminURL: url)
            }
        }
        try? FileManager.default.removeItem(atPath: configuration.dataDirectory)
    }

    /// True while a process with this id exists (zombies count as gone).
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return !stat[close...].hasPrefix(") Z")
    }

    /// Waits (bounded) until `condition` holds; false on timeout.
    static func eventually(within timeout: Duration = .seconds(20), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return await condition()
    }
}

/// Collects cluster events from any thread.
final class EventLog: Sendable {
    private let events = Mutex<[ClusterEvent]>([])

    func append(_ event: ClusterEvent) { events.withLock { $0.append(event) } }

    var all: [ClusterEvent] { events.withLock { $0 } }

    /// Every pid ever started for any service.
    var startedPIDs: [Int32] {
        all.compactMap { event in
            switch event {
            case .started(_, let pid), .restarted(_, let pid): pid
            default: nil
            }
        }
    }
}
