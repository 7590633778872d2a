internal import Foundation

/// Starts a process with `posix_spawn`: stdin from /dev/null, stdout and stderr into one log file.
///
/// The one place the harness, the local cluster's supervisor and `cluster up --detach` start
/// processes; each owns and reaps the pid it gets back.
public enum ProcessSpawner {
    /// How the log file is opened.
    public enum LogMode: Sendable {
        /// Output is added to what the file holds (a service's log across restarts).
        case append
        /// The file starts empty.
        case truncate
    }

    /// Which process group (and session) the child joins.
    public enum Grouping: Sendable {
        /// This process's group, with this process's signal dispositions and mask.
        case inherit
        /// A new process group led by the child, so its whole group can be signalled; every
        /// signal at its default disposition and none blocked.
        case newProcessGroup
        /// A new session (glibc's `POSIX_SPAWN_SETSID`), so a terminal's Ctrl-C or hangup does
        /// not reach it; every signal at its default disposition and none blocked.
        case newSession
    }

    /// A process that could not be started.
    public struct SpawnError: Error, CustomStringConvertible {
        /// The executable's path.
        public var executable: String
        /// `strerror` of posix_spawn's result.
        public var reason: String

        public var description: String { "could not start \(executable): \(reason)" }
    }

    /// Starts `executable` with `arguments` (argv[0] is `executable`).
    ///
    /// - Parameter environment: the child's whole environment; nil inherits this process's.
    /// - Returns: the child's pid (`pid_t`), which the caller must reap.
    public static func spawn(
        _ executable: String, arguments: [String], environment: [String: String]? = nil,
        logPath: String, logMode: LogMode, grouping: Grouping
    ) throws(SpawnError) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let logFlags = O_WRONLY | O_CREAT | (logMode == .append ? O_APPEND : O_TRUNC)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, logFlags, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if grouping != .inherit {
            var defaults = sigset_t()
            sigfillset(&defaults)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            // Nothing blocked, whatever mask this process has: the child must stop on SIGTERM.
            var emptyMask = sigset_t()
            sigemptyset(&emptyMask)
            posix_spawnattr_setsigmask(&attributes, &emptyMask)
            var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
            if grouping == .newProcessGroup {
                posix_spawnattr_setpgroup(&attributes, 0)
                flags |= POSIX_SPAWN_SETPGROUP
            } else {
                flags |= 0x80  // POSIX_SPAWN_SETSID (glibc 2.26+; not exported to Swift)
            }
            posix_spawnattr_setflags(&attributes, Int16(flags))
        }

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { environment in
            environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp ?? [] { free(pointer) }
        }
        var pid: pid_t = 0
        let result = envp.map { envp in posix_spawn(&pid, executable, &actions, &attributes, argv, envp) }
            ?? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw SpawnError(executable: executable, reason: String(cString: strerror(result)))
        }
        return pid
    }
}
