internal import Foundation
internal import BoxOfficeLocks

/// One running `redis-server` child process; exits are observed through Foundation's termination handler.
final class RedisServerProcess: Sendable {
    // Foundation's Process is not Sendable; it is only touched under this lock.
    private let process: AnnotatedMutex<Process>
    private let exited: AsyncStream<Int32>
    let processIdentifier: Int32

    init(executable: String, arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let (exited, continuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { finished in
            continuation.yield(finished.terminationStatus)
            continuation.finish()
        }
        try process.run()
        self.processIdentifier = process.processIdentifier
        self.process = AnnotatedMutex(process)
        self.exited = exited
    }

    var isRunning: Bool { process.withLock { $0.isRunning } }

    /// Waits for the process to exit; SIGKILLs it when it is still running after `grace`.
    func waitForExit(killingAfter grace: Duration) async {
        let exited = self.exited
        let exitedInTime = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in exited {}
                return true
            }
            group.addTask {
                try? await Task.sleep(for: grace)
                return false
            }
            defer { group.cancelAll() }
            return await group.next() ?? false
        }
        if !exitedInTime {
            _ = Foundation.kill(processIdentifier, SIGKILL)
            for await _ in exited {}
        }
        // The handler holds the stream's continuation; drop it so nothing keeps the Process alive.
        process.withLock { process in
            process.terminationHandler = nil
            process.waitUntilExit()  // already exited: returns at once, and releases Foundation's monitor
        }
    }
}
