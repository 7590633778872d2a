import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Something the reactor watches: a libpq socket and what to do when it is ready.
protocol ReactorSource: AnyObject, Sendable {
    /// Called on the reactor's thread when the socket is readable (or failed) or writable.
    /// Callers to resume go into `completions`; the reactor resumes them after the whole round.
    /// Without `waitForLock`, returns false at once when a caller is busy sending on the connection
    /// (the reactor serves the other sockets first and comes back).
    func socketReady(waitForLock: Bool, completions: inout CallCompletions) -> Bool
}

/// Callers to resume, collected while locks are held and resumed after they are released.
struct CallCompletions {
    typealias ResultContinuation = CheckedContinuation<[PostgresResult], any Error>

    private var pending: [(ResultContinuation, Result<[PostgresResult], any Error>)] = []

    mutating func append(_ continuation: ResultContinuation, _ result: Result<[PostgresResult], any Error>) {
        pending.append((continuation, result))
    }

    var isEmpty: Bool { pending.isEmpty }

    /// Resumes every collected caller and empties the list.
    mutating func resumeAll() {
        for (continuation, result) in pending { continuation.resume(with: result) }
        pending.removeAll(keepingCapacity: true)
    }
}

/// A thread that waits on many connections' sockets at once, as pgbench's threads do with `select`.
///
/// Connections send on their callers' threads (libpq in nonblocking mode never blocks there); the
/// reactor reads: when a socket turns readable it lets the connection consume and parse the input
/// and resume the callers whose results are complete, all callers of one wake-up in one batch. It
/// also finishes flushes that did not fit the socket buffer. One or two reactors (never more than
/// the cores) serve the whole process, connections spread over them; a reactor starts with its
/// first connection and stops (thread ended, descriptors closed) when its last one leaves. A pipe
/// wakes it when registrations change; submitting work never does.
final class PostgresReactor: Sendable {
    private struct Entry {
        var source: any ReactorSource
        var socket: Int32
        var wantsWrite: Bool
    }

    private struct Registry {
        var entries: [ObjectIdentifier: Entry] = [:]
        var generation: UInt64 = 0
        var stopping = false
    }

    /// The running reactors (at most ``maximumReactors``), each with at least one registered connection.
    private static let running = Mutex<[PostgresReactor]>([])
    /// Two threads read when the machine has two cores or more: one is descheduled, the other still answers.
    private static let maximumReactors = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))

    private let registry = Mutex(Registry())
    /// The wake-up pipe: owned here, closed in `deinit` (after the thread, which holds `self`, ended).
    private let wakeReader: Int32
    private let wakeWriter: Int32

    private init(wakeReader: Int32, wakeWriter: Int32) {
        self.wakeReader = wakeReader
        self.wakeWriter = wakeWriter
    }

    deinit {
        close(wakeReader)
        close(wakeWriter)
    }

    /// Starts watching `socket` for `source` on the least busy reactor, starting one while fewer than
    /// ``maximumReactors`` run; returns that reactor.
    static func register(_ source: any ReactorSource, socket: Int32) throws(PostgresError) -> PostgresReactor {
        try running.withLock { (running) throws(PostgresError) -> PostgresReactor in
            let reactor: PostgresReactor
            if running.count < maximumReactors {
                reactor = try start()
                running.append(reactor)
            } else {
                reactor = running.min { $0.registeredCount < $1.registeredCount }!
            }
            reactor.registry.withLock { registry in
                registry.entries[ObjectIdentifier(source)] = Entry(source: source, socket: socket, wantsWrite: false)
                registry.generation &+= 1
            }
            reactor.wake()
            return reactor
        }
    }

    /// Stops watching `source`'s socket; call before the socket is closed. A reactor left with no
    /// connection stops (its thread ends, its pipe is closed).
    func deregister(_ source: any ReactorSource) {
        Self.running.withLock { running in
            let remaining = registry.withLock { registry in
                if registry.entries.removeValue(forKey: ObjectIdentifier(source)) != nil { registry.generation &+= 1 }
                if registry.entries.isEmpty { registry.stopping = true }
                return registry.entries.count
            }
            if remaining == 0 { running.removeAll { $0 === self } }
        }
        wake()
    }

    private var registeredCount: Int { registry.withLock { $0.entries.count } }

    /// Asks the reactor to report when `source`'s socket can take more output (a flush did not finish).
    func setWantsWrite(_ source: any ReactorSource, _ wantsWrite: Bool) {
        let changed = registry.withLock { registry in
            guard let entry = registry.entries[ObjectIdentifier(source)], entry.wantsWrite != wantsWrite else { return false }
            registry.entries[ObjectIdentifier(source)]?.wantsWrite = wantsWrite
            registry.generation &+= 1
            return true
        }
        if changed { wake() }
    }

    private static func start() throws(PostgresError) -> PostgresReactor {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw PostgresError(code: .connectionFailed, message: "cannot create the reactor's wake-up pipe: errno \(errno)")
        }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        let reactor = PostgresReactor(wakeReader: ends[0], wakeWriter: ends[1])
        let thread = Thread {
            // Named from inside: Linux threads otherwise keep the name of the thread that started them.
            Thread.current.name = "pg-reactor"
            reactor.run()
        }
        thread.start()
        return reactor
    }

    private func wake() {
        var byte: UInt8 = 1
        // A full pipe already holds a wake-up: EAGAIN is fine.
        _ = write(wakeWriter, &byte, 1)
    }

    private func drainWakeUps() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeReader, &buffer, buffer.count) > 0 {}
    }

    /// The reactor's thread: poll every registered socket, dispatch, resume callers, repeat.
    private func run() {
        var descriptors: [pollfd] = []
        var sources: [any ReactorSource] = []
        var seenGeneration: UInt64?
        var busy: [Int] = []
        var completions = CallCompletions()
        enum Round {
            case unchanged
            case rebuild([Entry], generation: UInt64)
            case stop
        }
        while true {
            let round: Round = registry.withLock { registry in
                if registry.stopping && registry.entries.isEmpty { return .stop }
                guard registry.generation != seenGeneration else { return .unchanged }
                return .rebuild(Array(registry.entries.values), generation: registry.generation)
            }
            switch round {
            case .stop:
                return
            case .unchanged:
                break
            case .rebuild(let entries, let generation):
                seenGeneration = generation
                descriptors = [pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0)]
                sources = []
                for entry in entries {
                    descriptors.append(pollfd(fd: entry.socket, events: Int16(POLLIN) | (entry.wantsWrite ? Int16(POLLOUT) : 0), revents: 0))
                    sources.append(entry.source)
                }
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), -1)
            if ready < 0 { continue }  // EINTR
            if descriptors[0].revents != 0 { drainWakeUps() }
            busy.removeAll(keepingCapacity: true)
            for index in 1..<descriptors.count where descriptors[index].revents != 0 {
                descriptors[index].revents = 0
                if !sources[index - 1].socketReady(waitForLock: false, completions: &completions) { busy.append(index - 1) }
            }
            for index in busy { _ = sources[index].socketReady(waitForLock: true, completions: &completions) }
            descriptors[0].revents = 0
            completions.resumeAll()
        }
    }
}
