#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import BoxOfficeCluster
import BoxOfficeHarness
import Foundation

/// `cluster up --detach`: runs the same `cluster up` (without `--detach`) in a session of its own
/// with its output in DIR/cluster.log, relays its lines until READY, and returns.
enum ClusterDetach {
    static func run(arguments: [String], dataDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        if let existing = try? ClusterStateFile.read(from: dataDirectory), kill(existing.supervisorPID, 0) == 0 {
            printError("boxoffice cluster: a cluster already runs from \(dataDirectory) (supervisor pid \(existing.supervisorPID)); "
                       + "stop it with 'boxoffice cluster down --data-dir \(dataDirectory)'")
            throw ExitCode.failure
        }
        let logPath = dataDirectory + "/cluster.log"
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let pid = try spawnInNewSession(executable, arguments, logPath: logPath)
        var offset = 0
        var partial = ""
        let deadline = ContinuousClock.now + .seconds(600)
        while true {
            if let data = FileManager.default.contents(atPath: logPath), data.count > offset {
                let text = partial + String(decoding: data[offset...], as: UTF8.self)
                offset = data.count
                var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                partial = String(lines.removeLast())
                for line in lines {
                    if ["ENDPOINT ", "PID ", "METRICS ", "RESTARTED "].contains(where: { line.hasPrefix($0) }) {
                        ClusterUpCommand.print(line: String(line))
                    } else if line == "READY" {
                        ClusterUpCommand.print(line: "SUPERVISOR \(pid)")
                        ClusterUpCommand.print(line: "READY")
                        return
                    } else {
                        printError(String(line))
                    }
                }
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                printError("boxoffice cluster: the background cluster exited before READY (log: \(logPath))")
                throw ExitCode.failure
            }
            if ContinuousClock.now > deadline {
                kill(pid, SIGTERM)
                printError("boxoffice cluster: not READY within 10 minutes; stopping it (log: \(logPath))")
                throw ExitCode.failure
            }
            usleep(50_000)
        }
    }

    private static func spawnInNewSession(_ executable: String, _ arguments: [String], logPath: String) throws -> pid_t {
        do {
            return try ProcessSpawner.spawn(executable, arguments: arguments, logPath: logPath, logMode: .truncate,
                                            grouping: .newSession)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
