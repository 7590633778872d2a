#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import BoxOfficeCluster
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
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // Nothing blocked: `cluster down` stops it with SIGTERM, whatever mask this process inherited.
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        // POSIX_SPAWN_SETSID (glibc): a session of its own, so a terminal's Ctrl-C or hangup does not reach it.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | 0x80))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else { throw ValidationError("could not start \(executable): \(String(cString: strerror(result)))") }
        return pid
    }
}
