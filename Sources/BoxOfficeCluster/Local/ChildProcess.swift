internal import BoxOfficeHarness
internal import Foundation
internal import Synchronization

/// One spawned service process, leader of a process group of its own, with its output appended
/// to a log file. The only owner of its pid: it reaps the process (a blocking `waitpid` on a
/// thread of its own, never on the Swift concurrency pool) and signals its group.
final class ChildProcess: Sendable {
    /// The process id, also its process group id.
    let pid: pid_t
    private let state = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Spawns `command` in a new process group, stdin from /dev/null, stdout and stderr appended to
    /// `logPath`, every signal at its default disposition (the supervisor ignores SIGINT/SIGTERM itself).
    static func spawn(_ command: ServiceCommand, logPath: String) throws -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in command.environment { environment[key] = value }
        let pid: pid_t
        do {
            pid = try ProcessSpawner.spawn(command.executable, arguments: command.arguments, environment: environment,
                                           logPath: logPath, logMode: .append, grouping: .newProcessGroup)
        } catch {
            throw ClusterError.invalidConfiguration(error.description)
        }
        let child = ChildProcess(pid: pid)
        Thread.detachNewThread { child.reap() }
        return child
    }

    /// The exit status once it exited (128+N when killed by signal N), else nil.
    var exitStatus: Int32? { state.withLock { $0.status } }

    /// Waits until the process exited; returns its status.
    func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let done: Int32? = state.withLock { state in
                if let status = state.status { return status }
                state.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Waits until the process exited or `timeout` passed; true when it exited.
    ///
    /// Polls the reaped status every 20 ms, so an abandoned wait leaves nothing parked behind.
    func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while exitStatus == nil {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Sends `signal` to the process only.
    func signal(_ signal: Int32) {
        guard exitStatus == nil else { return }
        _ = Foundation.kill(pid, signal)
    }

    /// Sends `signal` to the whole process group.
    func signalGroup(_ signal: Int32) {
        _ = Foundation.kill(-pid, signal)
    }

    /// SIGTERM to the group, then SIGKILL to the group after `grace`; returns once the process exited.
    @discardableResult
    func terminate(grace: Duration) async -> Int32 {
        if exitStatus == nil {
            signalGroup(SIGTERM)
            // A paused (SIGSTOPped) service only handles SIGTERM once it runs again.
            signalGroup(SIGCONT)
            if !(await waitForExit(timeout: grace)) { signalGroup(SIGKILL) }
        }
        let status = await waitForExit()
        // Anything the service itself started and left behind in its group goes too.
        signalGroup(SIGKILL)
        return status
    }

    private func reap() {
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, spelled out: Swift does not import the macros.
        let status = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        let waiters = state.withLock { state in
            state.status = status
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }
}
