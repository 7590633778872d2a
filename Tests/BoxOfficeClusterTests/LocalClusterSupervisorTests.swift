import BoxOfficeCluster
import BoxOfficeHarness
import BoxOfficePostgres
import BoxOfficeRPC
import Foundation
import Logging
import Testing

@Suite struct LocalClusterSupervisorTests {
    @Test func startsSupervisesRestartsAndStopsEverything() async throws {
        let events = EventLog()
        let configuration = try await StandIn.configuration("sup", events: events)
        try await StandIn.withCleanUp(configuration) {
            let cluster = try await LocalCluster.start(configuration)

            // Endpoints first, then pids, then ready.
            let all = events.all
            #expect(all.prefix(4).allSatisfy { if case .endpoint = $0 { true } else { false } })
            #expect(all.contains(.ready))
            #expect(Set(cluster.endpoints.keys) == Set(ClusterService.allCases))
            #expect(Set(cluster.endpoints.values.map(\.port)).count == 4)
            for service in ClusterService.allCases {
                try await cluster.waitUntilServing(service, timeout: .seconds(5))
                #expect(cluster.pid(of: service) != nil)
            }
            // The three databases exist.
            let admin = try await PostgresConnection.connect(configuration: PostgresConfiguration(url: cluster.postgresURL),
                                                             logger: Logger(label: "test"))
            let rows = try await admin.query("SELECT datname FROM pg_database WHERE datname LIKE $1", [configuration.name + "_%"])
            await admin.close()
            #expect(rows.count == 3)

            // A crash is restarted with a new pid, and serves again.
            let crashed = try #require(cluster.pid(of: .booking))
            try cluster.kill(.booking)
            #expect(await StandIn.eventually { cluster.restartCount(of: .booking) == 1 && cluster.pid(of: .booking) != nil })
            #expect(cluster.pid(of: .booking) != crashed)
            try await cluster.waitUntilServing(.booking, timeout: .seconds(20))
            #expect(events.all.contains { if case .exited(.booking, crashed, 128 + 9) = $0 { true } else { false } })
            #expect(events.all.contains { if case .restarted(.booking, _) = $0 { true } else { false } })

            // A requested restart is graceful and reported as such, not as a crash.
            let before = try #require(cluster.pid(of: .inventory))
            let after = try await cluster.restart(.inventory)
            #expect(after != before)
            #expect(!events.all.contains { if case .exited(.inventory, _, _) = $0 { true } else { false } })

            await cluster.stop()
            for pid in events.startedPIDs { #expect(!StandIn.isAlive(pid), "pid \(pid) survived stop()") }
            for service in ClusterService.allCases { #expect(cluster.pid(of: service) == nil) }
        }
    }

    @Test func withoutRestartsAnExitedServiceStaysDown() async throws {
        let events = EventLog()
        var configuration = try await StandIn.configuration("norestart", events: events)
        configuration.restartsServices = false
        configuration.services = [.providerSimulator]
        try await StandIn.withCleanUp(configuration) {
            let cluster = try await LocalCluster.start(configuration)
            let pid = try #require(cluster.pid(of: .providerSimulator))
            try cluster.kill(.providerSimulator, signal: SIGTERM)
            #expect(await StandIn.eventually { cluster.pid(of: .providerSimulator) == nil })
            #expect(await StandIn.eventually { events.all.contains(.exited(.providerSimulator, pid: pid, status: 0)) })
            #expect(cluster.restartCount(of: .providerSimulator) == 0)
            await cluster.stop()
        }
    }

    @Test func aPortInUseIsNamedAndNothingStarts() async throws {
        // Hold a port, then ask for it as the base (inventory's) port.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(holder, $0, length) == 0 && listen(holder, 1) == 0 && getsockname(holder, $0, &length) == 0
            }
        }
        try #require(bound)
        let taken = Int(UInt16(bigEndian: address.sin_port))
        let events = EventLog()
        var configuration = try await StandIn.configuration("port", events: events)
        configuration.basePort = taken
        try await StandIn.withCleanUp(configuration) {
            do {
                _ = try await LocalCluster.start(configuration)
                Issue.record("started although port \(taken) is taken")
            } catch let error as ClusterError {
                guard case .portInUse(taken, .inventory) = error else {
                    Issue.record("wrong error: \(error)")
                    return
                }
                #expect(error.description.contains("port \(taken) (for inventory) is already in use"))
                #expect(error.description.contains("--base-port"))
            }
            #expect(events.all.isEmpty)
        }
    }

    @Test func aServiceThatDiesAtStartFailsTheStartWithItsLogAndStopsTheOthers() async throws {
        let events = EventLog()
        var configuration = try await StandIn.configuration("dies", events: events)
        let standIn = configuration.command!
        configuration.command = { service, plan in
            guard service == .payment else { return standIn(service, plan) }
            return ServiceCommand(executable: "/bin/sh", arguments: ["-c", "echo 'payment: --webhook-secret is required' >&2; exit 64"])
        }
        try await StandIn.withCleanUp(configuration) {
            do {
                _ = try await LocalCluster.start(configuration)
                Issue.record("started although payment exits")
            } catch let error as ClusterError {
                guard case .serviceFailed(.payment, let detail, _, let tail) = error else {
                    Issue.record("wrong error: \(error)")
                    return
                }
                #expect(detail.contains("exited with status 64"))
                #expect(tail.contains("--webhook-secret is required"))
            }
            #expect(events.startedPIDs.count == 4)
            for pid in events.startedPIDs { #expect(!StandIn.isAlive(pid), "pid \(pid) survived a failed start") }
        }
    }

    @Test func serviceEnvironmentAndLogsReachTheService() async throws {
        let events = EventLog()
        var configuration = try await StandIn.configuration("env", events: events)
        configuration.services = [.booking]
        configuration.serviceEnvironment = [.booking: ["BOXOFFICE_CRASH_AT": "after-charge-sent"]]
        configuration.command = { service, plan in
            ServiceCommand(executable: "/bin/sh", arguments: [
                "-c", "echo \"crash point: $BOXOFFICE_CRASH_AT\"; exec \"$0\" interop-server --port \(plan.ports[service]!)",
                plan.executable,
            ])
        }
        try await StandIn.withCleanUp(configuration) {
            let cluster = try await LocalCluster.start(configuration)
            let log = try String(contentsOfFile: cluster.logPath(of: .booking), encoding: .utf8)
            await cluster.stop()
            #expect(log.contains("crash point: after-charge-sent"))
            #expect(log.contains("LISTENING \(cluster.endpoints[.booking]!.port)"))
        }
    }

    @Test func malformedSettingsAreRejectedBeforeAnythingStarts() async throws {
        var configuration = LocalCluster.Configuration(dataDirectory: "/nonexistent/never-created", name: "Bad-Name")
        #expect(throws: ClusterError.self) { try configuration.validate() }
        configuration.name = "ok"
        configuration.store = "memcached"
        #expect { try configuration.validate() } throws: { "\($0)".contains("--store must be redis or postgres") }
        configuration.store = "redis"
        configuration.postgresURL = "mysql://x"
        #expect { try configuration.validate() } throws: { "\($0)".contains("--pg-url") }
        await #expect(throws: ClusterError.self) { _ = try await LocalCluster.start(configuration) }
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/never-created"))
    }
}
