internal import Foundation

/// Runs a command to completion and collects its output, optionally as another user.
///
/// PostgreSQL refuses to run as root, so when this process is root, commands that must run as the
/// server's owner go through `runuser -u <user> --`. The child is started with `posix_spawn` and
/// reaped with a blocking `waitpid` on a thread of its own (never on the Swift concurrency pool).
/// Output goes to a temporary file rather than a pipe: `pg_ctl start` leaves a server running that
/// could otherwise hold the pipe open.
enum ProcessRunner {
    /// What a finished command left behind.
    struct Outcome: Sendable {
        var status: Int32
        var output: String
    }

    /// True when running as root (and commands for other users need `runuser`).
    static var isRoot: Bool { getuid() == 0 }

    /// Runs `executable` with `arguments` (as `user` when root) and waits for it to exit.
    static func run(_ executable: String, _ arguments: [String], asUser user: String? = nil) async throws -> Outcome {
        var launchPath = executable
        var launchArguments = arguments
        if let user, isRoot {
            launchPath = "/usr/sbin/runuser"
            launchArguments = ["-u", user, "--", executable] + arguments
        }
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("boxoffice-cmd-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let pid: pid_t
        do {
            pid = try ProcessSpawner.spawn(launchPath, arguments: launchArguments, logPath: outputPath,
                                           logMode: .truncate, grouping: .inherit)
        } catch {
            throw PostgresHarnessError(message: error.description)
        }
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                // WIFEXITED / WEXITSTATUS, spelled out: Swift does not import the macros.
                let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                continuation.resume(returning: exitCode)
            }
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Outcome(status: status, output: output)
    }

    /// Runs a command and throws ``PostgresHarnessError`` with its output when it exits non-zero.
    @discardableResult
    static func check(_ executable: String, _ arguments: [String], asUser user: String? = nil) async throws -> String {
        let outcome = try await run(executable, arguments, asUser: user)
        guard outcome.status == 0 else {
            let name = (executable as NSString).lastPathComponent
            throw PostgresHarnessError(message: "\(name) exited with \(outcome.status): \(outcome.output.suffix(2000))")
        }
        return outcome.output
    }
}
