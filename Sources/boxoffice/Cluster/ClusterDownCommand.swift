#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import BoxOfficeCluster
import Foundation

/// `boxoffice cluster down`: stops a cluster started with `cluster up --detach`.
struct ClusterDownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop a cluster started with 'cluster up --detach' (services, then PostgreSQL and Redis).")

    @Option(help: "The data folder the cluster was started with.")
    var dataDir = clusterDefault("data-dir") ?? ".data/cluster"

    @Option(help: "Seconds to wait for the cluster to stop before killing what is left.")
    var timeout = 60

    func run() async throws {
        let state: ClusterStateFile?
        do {
            state = try ClusterStateFile.read(from: dataDir)
        } catch {
            printError("boxoffice cluster: \(ClusterStateFile.path(in: dataDir)) is unreadable: \(error)")
            throw ExitCode.failure
        }
        guard let state else {
            printError("boxoffice cluster: no cluster.json in \(dataDir): no detached cluster runs from there "
                       + "(a cluster in the foreground stops with Ctrl-C)")
            throw ExitCode.failure
        }
        if Self.isAlive(state.supervisorPID) {
            kill(state.supervisorPID, SIGTERM)
            let deadline = ContinuousClock.now + .seconds(timeout)
            while Self.isAlive(state.supervisorPID), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            if Self.isAlive(state.supervisorPID) {
                printError("boxoffice cluster: the supervisor (pid \(state.supervisorPID)) did not stop within \(timeout) s; killing it")
                kill(state.supervisorPID, SIGKILL)
            }
        }
        // A supervisor that was killed leaves its services: each leads a process group of its own.
        for (name, service) in state.services.sorted(by: { $0.key < $1.key })
        where service.pid > 0 && Self.isAlive(service.pid) && getpgid(service.pid) == service.pid {
            printError("boxoffice cluster: \(name) (pid \(service.pid)) outlived its supervisor; killing it")
            kill(-service.pid, SIGKILL)
        }
        ClusterStateFile.remove(from: dataDir)
        print("STOPPED")
    }

    /// True while `pid` exists and is not a zombie.
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return !stat[close...].hasPrefix(") Z")
    }
}
