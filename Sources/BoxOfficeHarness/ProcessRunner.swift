internal import Foundation

/// Runs a command to completion and collects its output, optionally as another user.
///
/// PostgreSQL refuses to run as root, so when this process is root, commands that must run as the
/// server's owner go through `runuser -u <user> --`. Output goes to a temporary file rather than a
/// pipe: `pg_ctl start` leaves a server running that could otherwise hold the pipe open.
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
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            do {
                let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
                let process = Process()
                process.executableURL = URL(fileURLWithPath: launchPath)
                process.arguments = launchArguments
                process.standardInput = FileHandle.nullDevice
                process.standardOutput = output
                process.standardError = output
                process.terminationHandler = { finished in
                    try? output.close()
                    continuation.resume(returning: finished.terminationStatus)
                }
                try process.run()
            } catch {
                continuation.resume(throwing: error)
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
