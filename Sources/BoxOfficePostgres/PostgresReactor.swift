import Foundation
import BoxOfficeLocks
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
    /// Unchecked: ``ConnectionStateMachine`` resumes every call exactly once (its tests cover
    /// completion, cancellation, failure and close), and the checked variant allocates per call.
    typealias ResultContinuation = UnsafeContinuation<[PostgresResult], any Error>

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
/// first connection (or pin) and stops (thread ended, descriptors closed) when its last one leaves.
/// A pipe wakes it when registrations change; submitting work never does.
///
/// A reactor is also a `TaskExecutor` (SE-0417): tasks that prefer it (see
/// ``PostgresClient/withReactorAffinity(_:)``) run their jobs on its thread between polls, so a
/// result resumes its caller on the thread that parsed it, and the caller's next statement is
/// sent from there: no wake-up of another thread per round trip, as in pgbench's loop.
final class PostgresReactor: TaskExecutor {
    private struct Entry {
        var source: any ReactorSource
        var socket: Int32
        var wantsWrite: Bool
    }

    private struct Registry {
        var entries: [ObjectIdentifier: Entry] = [:]
        var generation: UInt64 = 0
        /// Scopes of ``PostgresClient/withReactorAffinity(_:)`` running on this reactor; they keep it alive.
        var pins = 0
        var stopping = false

        var isUnused: Bool { entries.isEmpty && pins == 0 }
    }

    /// Jobs of tasks that prefer this reactor, run on its thread after each poll.
    private struct RunQueue {
        var jobs: [UnownedJob] = []
        /// The thread is in (or about to enter) `poll` with no timeout: an enqueuer from another thread wakes it.
        var sleeping = false
        /// The thread has ended: jobs go to the global executor instead.
        var stopped = false
    }

    /// The reactor a connection opened in this task registers with, set by ``PostgresClient/withReactorAffinity(_:)``.
    @TaskLocal static var preferred: PostgresReactor?

    /// The running reactors (at most ``maximumReactors``), each with at least one registered connection.
    private static let running = AnnotatedMutex<[PostgresReactor]>([])
    /// Two threads read when the machine has two cores or more: one is descheduled, the other still answers.
    private static let maximumReactors = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))

    private let registry = AnnotatedMutex(Registry())
    private let runQueue = AnnotatedMutex(RunQueue())
    /// The reactor thread's `pthread_self()`, set when it starts (0 before).
    private let threadID = Atomic<UInt>(0)
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
    /// With `preferred` (a reactor still running), registers there.
    static func register(
        _ source: any ReactorSource, socket: Int32, preferred: PostgresReactor? = nil
    ) throws(PostgresError) -> PostgresReactor {
        try running.withLock { (running) throws(PostgresError) -> PostgresReactor in
            let reactor: PostgresReactor
            if let preferred, running.contains(where: { $0 === preferred }) {
                reactor = preferred
            } else {
                reactor = try leastBusy(&running)
            }
            reactor.registry.withLock { registry in
                registry.entries[ObjectIdentifier(source)] = Entry(source: source, socket: socket, wantsWrite: false)
                registry.generation &+= 1
            }
            reactor.wake()
            return reactor
        }
    }

    /// Keeps a reactor running for an affinity scope (starting one while fewer than the maximum run);
    /// end the scope with ``unpin()``.
    static func pin() throws(PostgresError) -> PostgresReactor {
        try running.withLock { (running) throws(PostgresError) -> PostgresReactor in
            let reactor = try leastBusy(&running)
            reactor.registry.withLock { $0.pins += 1 }
            return reactor
        }
    }

    /// Ends an affinity scope; a reactor left with no connection and no pin stops.
    func unpin() {
        Self.running.withLock { running in
            let unused = registry.withLock { registry in
                registry.pins -= 1
                if registry.isUnused { registry.stopping = true }
                return registry.isUnused
            }
            if unused { running.removeAll { $0 === self } }
        }
        wake()
    }

    private static func leastBusy(_ running: inout [PostgresReactor]) throws(PostgresError) -> PostgresReactor {
        if running.count < maximumReactors {
            let reactor = try start()
            running.append(reactor)
            return reactor
        }
        return running.min { $0.load < $1.load }!
    }

    /// True on this reactor's own thread.
    var isCurrentThread: Bool { threadID.load(ordering: .relaxed) == UInt(pthread_self()) }

    /// True on the thread of any running reactor (for tests; thread names are not reliable, since
    /// Foundation sometimes reports a reactor thread under the name of the thread that started it).
    static var isOnAReactorThread: Bool { running.withLock { $0.contains { $0.isCurrentThread } } }

    // MARK: TaskExecutor

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let onThread = isCurrentThread
        let outcome: (wake: Bool, stopped: Bool) = runQueue.withLock { queue in
            if queue.stopped { return (false, true) }
            queue.jobs.append(job)
            guard queue.sleeping, !onThread else { return (false, false) }
            queue.sleeping = false
            return (true, false)
        }
        if outcome.stopped {
            // Nothing runs here any more (its last connection and pin left): the job must still run.
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
        } else if outcome.wake {
            wake()
        }
    }

    /// Stops watching `source`'s socket; call before the socket is closed. A reactor left with no
    /// connection stops (its thread ends, its pipe is closed).
    func deregister(_ source: any ReactorSource) {
        Self.running.withLock { running in
            let unused = registry.withLock { registry in
                if registry.entries.removeValue(forKey: ObjectIdentifier(source)) != nil { registry.generation &+= 1 }
                if registry.isUnused { registry.stopping = true }
                return registry.isUnused
            }
            if unused { running.removeAll { $0 === self } }
        }
        wake()
    }

    /// Connections plus affinity scopes: what spreads new work over the reactors.
    private var load: Int { registry.withLock { $0.entries.count + $0.pins } }

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
            reactor.threadID.store(UInt(pthread_self()), ordering: .relaxed)
            reactor.run()
            reactor.finishJobs()
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
        var jobs: [UnownedJob] = []
        enum Round {
            case unchanged
            case rebuild([Entry], generation: UInt64)
            case stop
        }
        while true {
            let round: Round = registry.withLock { registry in
                if registry.stopping && registry.isUnused { return .stop }
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
            // Sleep only with no job waiting; from here on an enqueuer on another thread writes the pipe.
            let timeout: Int32 = runQueue.withLock { queue in
                queue.sleeping = queue.jobs.isEmpty
                return queue.sleeping ? -1 : 0
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            runQueue.withLock { $0.sleeping = false }
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
            runJobs(&jobs)
        }
    }

    /// Runs the jobs queued so far (those they queue wait for the next round, after a poll).
    private func runJobs(_ jobs: inout [UnownedJob]) {
        runQueue.withLock { swap(&$0.jobs, &jobs) }
        guard !jobs.isEmpty else { return }
        let executor = asUnownedTaskExecutor()
        for job in jobs { job.runSynchronously(on: executor) }
        jobs.removeAll(keepingCapacity: true)
    }

    /// The thread is ending: jobs still queued, and any enqueued later, go to the global executor.
    private func finishJobs() {
        let left = runQueue.withLock { queue in
            queue.stopped = true
            return queue.jobs
        }
        for job in left { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
    }
}
