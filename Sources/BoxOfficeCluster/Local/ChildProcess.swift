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
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var environment = ProcessInfo.processInfo.environment
        for (key, value) in command.environment { environment[key] = value }
        let argv: [UnsafeMutablePointer<CChar>?] = ([command.executable] + command.arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, command.executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw ClusterError.invalidConfiguration("could not start \(command.executable): \(String(cString: strerror(result)))")
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
