public import Logging
import NIOPosix
import Synchronization

/// One PostgreSQL connection: a libpq handle driven by a dedicated thread, used with async calls.
///
/// Calls from any task are queued; the connection's thread sends everything queued so far as one
/// pipeline (a sync point per call, so calls fail independently) and resumes each caller with its
/// own results. libpq's blocking calls run only on that thread. Safe to share between tasks, but
/// session state (`BEGIN`, `SET`, `LISTEN`) is shared too: use ``PostgresClient/transaction(isolation:maxAttempts:_:)``
/// for transactions. Call ``close()`` when done: it frees the handle and stops the thread.
///
/// Cancelling the task awaiting a statement call (``query(_:_:)``, ``execute(_:_:)``, ``batch(_:)``):
/// a call still queued throws `CancellationError` without reaching the server; a call the server
/// is running alone on the connection is stopped with `PQcancel` and throws ``PostgresError`` with
/// SQLSTATE `57014`, leaving the connection usable. A call pipelined with other callers' calls is
/// not cancelled (a cancel request would hit whichever statement runs) and completes normally.
public final class PostgresConnection: Sendable {
    typealias CallID = UInt64

    private enum Work {
        case pipeline(CallID, [PostgresStatement], CheckedContinuation<[PostgresResult], any Error>)
        case simple(String, CheckedContinuation<[PostgresResult], any Error>)
        case health(CheckedContinuation<Bool, Never>)
        case close(CheckedContinuation<Void, Never>)
    }

    private struct Inbox {
        var queue: [Work] = []
        var draining = false
        var closed = false
        var transactionState: PostgresTransactionState = .idle
        var broken = false
        var nextCallID: CallID = 0
        /// The call being run when it is the only work the connection's thread took: cancellable by `PQcancel`.
        var soleCallInFlight: CallID?
        /// Cancel requests being delivered; no new work starts meanwhile, so none can hit the wrong statement.
        var cancelsInProgress = 0
    }

    /// Holds the session; touched only on `thread`, whose single worker runs one drain at a time.
    private final class SessionBox: @unchecked Sendable {
        var session: LibpqSession?
        init(_ session: LibpqSession) { self.session = session }
    }

    private let thread: NIOThreadPool
    private let box: SessionBox
    private let inbox = Mutex(Inbox())
    private let canceller: LibpqCanceller?
    let logger: Logger

    private init(thread: NIOThreadPool, session: LibpqSession, canceller: LibpqCanceller?, logger: Logger) {
        self.thread = thread
        self.box = SessionBox(session)
        self.canceller = canceller
        self.logger = logger
    }

    deinit {
        // Normally `close()` already stopped the thread; never leave a running pool behind.
        if !inbox.withLock({ $0.closed }) { thread.shutdownGracefully { _ in } }
    }

    /// Opens a connection, failing at once with ``PostgresError/Code/connectionFailed`` if the server refuses.
    public static func connect(configuration: PostgresConfiguration, logger: Logger) async throws(PostgresError) -> PostgresConnection {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        let outcome: Result<SendableSession, PostgresError> = await withCheckedContinuation { continuation in
            thread.submit { _ in
                do throws(PostgresError) {
                    let session = try LibpqSession.connect(
                        conninfo: configuration.connectionString,
                        preparedStatementCacheCapacity: configuration.preparedStatementCacheCapacity)
                    continuation.resume(returning: .success(SendableSession(session)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        switch outcome {
        case .success(let connected):
            logger.debug("postgres connection opened")
            return PostgresConnection(
                thread: thread, session: connected.session, canceller: connected.session.makeCanceller(), logger: logger)
        case .failure(let error):
            try? await thread.shutdownGracefully()
            throw error
        }
    }

    /// Opens a connection, retrying with exponential backoff (100 ms doubling to 2 s) until `deadline`.
    ///
    /// For service start-up, when the database may still be starting. Server errors such as a wrong
    /// password are retried too (the server may be mid-restart); the last error is thrown.
    public static func connect(
        configuration: PostgresConfiguration, retryingUntil deadline: ContinuousClock.Instant, logger: Logger
    ) async throws -> PostgresConnection {
        var delay = Duration.milliseconds(100)
        while true {
            do {
                return try await connect(configuration: configuration, logger: logger)
            } catch {
                let now = ContinuousClock.now
                guard now + delay < deadline else { throw error }
                logger.info("postgres not reachable, retrying", metadata: ["postgres.error": "\(error.message)", "postgres.retry_in": "\(delay)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }

    /// Runs one statement and returns its rows.
    public func query(_ sql: String, _ bindings: [any PostgresEncodable] = []) async throws -> PostgresRows {
        try await run([PostgresStatement(sql, bindings)])[0].rows
    }

    /// Runs one statement and returns the number of rows it affected.
    public func execute(_ sql: String, _ bindings: [any PostgresEncodable] = []) async throws -> Int {
        try await run([PostgresStatement(sql, bindings)])[0].affectedRows
    }

    /// Runs statements in one round trip as one implicit transaction: if one fails, none take effect
    /// (unless the batch itself contains `BEGIN`/`COMMIT`) and the first error is thrown.
    public func batch(_ statements: [PostgresStatement]) async throws -> [PostgresResult] {
        guard !statements.isEmpty else { throw PostgresError(code: .invalidArgument, message: "empty batch") }
        return try await run(statements)
    }

    /// Runs SQL text with the simple query protocol: several `;`-separated statements, no parameters.
    /// For migrations and administration; returns the last statement's result.
    public func simpleQuery(_ sql: String) async throws -> PostgresResult {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.simple(sql, continuation))
        }[0]
    }

    /// The transaction state after the last completed call (`idle` when no transaction is open).
    public var transactionState: PostgresTransactionState { inbox.withLock { $0.transactionState } }

    /// True once the connection failed or was closed; a pool discards such connections.
    public var isClosed: Bool { inbox.withLock { $0.broken || $0.closed } }

    /// Reads whatever the server sent while the connection sat idle and reports whether it is still usable.
    /// Costs a thread hop, no round trip; detects a server that restarted or closed the socket.
    public func checkHealth() async -> Bool {
        await withCheckedContinuation { continuation in
            enqueue(.health(continuation))
        }
    }

    /// Closes the connection: queued calls fail, the handle is freed and the thread stops. Idempotent.
    public func close() async {
        let alreadyClosed = inbox.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        if alreadyClosed { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            enqueue(.close(continuation), evenIfClosed: true)
        }
        try? await thread.shutdownGracefully()
        logger.debug("postgres connection closed")
    }

    func run(_ statements: [PostgresStatement]) async throws -> [PostgresResult] {
        let id = inbox.withLock { state in
            defer { state.nextCallID += 1 }
            return state.nextCallID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                enqueue(.pipeline(id, statements, continuation))
            }
        } onCancel: {
            cancel(id)
        }
    }

    private func enqueue(_ work: Work, evenIfClosed: Bool = false) {
        let startDrain: Bool? = inbox.withLock { state in
            if state.closed && !evenIfClosed { return nil }
            // Checked under the lock: a cancellation handler running after this finds the call queued.
            if case .pipeline = work, Task.isCancelled { return nil }
            state.queue.append(work)
            if state.draining || state.cancelsInProgress > 0 { return false }
            state.draining = true
            return true
        }
        switch startDrain {
        case nil: Self.reject(work, closed: inbox.withLock { $0.closed })
        case true?: thread.submit { [self] _ in drain() }
        case false?: break
        }
    }

    private static let closedError = PostgresError(code: .closed, message: "connection is closed")

    private static func reject(_ work: Work, closed: Bool = true) {
        switch work {
        case .pipeline(_, _, let continuation): continuation.resume(throwing: closed ? closedError : CancellationError())
        case .simple(_, let continuation): continuation.resume(throwing: closedError)
        case .health(let continuation): continuation.resume(returning: false)
        case .close(let continuation): continuation.resume()
        }
    }

    /// A caller's task was cancelled: drop its call if still queued, or ask the server to stop it.
    private func cancel(_ id: CallID) {
        enum Decision {
            case dequeued(CheckedContinuation<[PostgresResult], any Error>)
            case sendCancel(LibpqCanceller)
            case nothing
        }
        let decision: Decision = inbox.withLock { state in
            let queued = state.queue.firstIndex { work in
                if case .pipeline(let queuedID, _, _) = work { return queuedID == id }
                return false
            }
            if let queued, case .pipeline(_, _, let continuation) = state.queue.remove(at: queued) {
                return .dequeued(continuation)
            }
            guard state.soleCallInFlight == id, !state.closed, let canceller else { return .nothing }
            state.soleCallInFlight = nil
            state.cancelsInProgress += 1
            return .sendCancel(canceller)
        }
        switch decision {
        case .dequeued(let continuation):
            continuation.resume(throwing: CancellationError())
        case .sendCancel(let canceller):
            // PQcancel opens a connection and blocks: never on the caller's thread or this connection's.
            NIOThreadPool.singleton.submit { [self] _ in
                if let failure = canceller.cancel() {
                    logger.info("postgres cancel request failed", metadata: ["postgres.error": "\(failure)"])
                }
                let resumeDrain = inbox.withLock { state in
                    state.cancelsInProgress -= 1
                    guard state.cancelsInProgress == 0, !state.draining, !state.queue.isEmpty else { return false }
                    state.draining = true
                    return true
                }
                if resumeDrain { thread.submit { [self] _ in drain() } }
            }
        case .nothing:
            break
        }
    }

    /// Runs on `thread`: takes everything queued, runs it, repeats until the queue is empty
    /// (or pauses while a cancel request is being delivered; its completion restarts the drain).
    private func drain() {
        while true {
            let taken: [Work]? = inbox.withLock { state in
                if state.queue.isEmpty || state.cancelsInProgress > 0 {
                    state.draining = false
                    return nil
                }
                let batch = state.queue
                state.queue.removeAll(keepingCapacity: true)
                if batch.count == 1, case .pipeline(let id, _, _) = batch[0] { state.soleCallInFlight = id }
                return batch
            }
            guard let batch = taken else { return }
            var completions = Completions()
            process(batch, &completions)
            let session = box.session
            let transactionState = session?.transactionState ?? .unknown
            let broken = session?.isBroken ?? true
            // Publish the state before resuming callers, so each sees the state its own call left.
            inbox.withLock { state in
                state.transactionState = transactionState
                state.broken = broken
                state.soleCallInFlight = nil
            }
            completions.resumeAll()
        }
    }

    /// Callers to resume once the batch's outcome is published.
    private struct Completions {
        var results: [(CheckedContinuation<[PostgresResult], any Error>, Result<[PostgresResult], PostgresError>)] = []
        var flags: [(CheckedContinuation<Bool, Never>, Bool)] = []
        var closes: [CheckedContinuation<Void, Never>] = []

        func resumeAll() {
            for (continuation, result) in results { continuation.resume(with: result.mapError { $0 as any Error }) }
            for (continuation, flag) in flags { continuation.resume(returning: flag) }
            for continuation in closes { continuation.resume() }
        }
    }

    private func process(_ batch: [Work], _ completions: inout Completions) {
        var pipelined: [([PostgresStatement], CheckedContinuation<[PostgresResult], any Error>)] = []
        func flushPipelined() {
            guard !pipelined.isEmpty else { return }
            let requests = pipelined
            pipelined.removeAll()
            guard let session = box.session else {
                for (_, continuation) in requests { completions.results.append((continuation, .failure(Self.closedError))) }
                return
            }
            session.runPipeline(requests.map(\.0)) { index, result in
                completions.results.append((requests[index].1, result))
            }
        }
        for work in batch {
            switch work {
            case .pipeline(_, let statements, let continuation):
                pipelined.append((statements, continuation))
            case .simple(let sql, let continuation):
                flushPipelined()
                completions.results.append((continuation, box.session?.runSimpleQuery(sql) ?? .failure(Self.closedError)))
            case .health(let continuation):
                flushPipelined()
                completions.flags.append((continuation, box.session?.checkAlive() ?? false))
            case .close(let continuation):
                flushPipelined()
                box.session = nil
                completions.closes.append(continuation)
            }
        }
        flushPipelined()
    }
}

/// Carries a freshly connected session from the connecting thread back to its connection.
/// Safe because the session is not used by anyone until the connection adopts it.
private struct SendableSession: @unchecked Sendable {
    let session: LibpqSession
    init(_ session: LibpqSession) { self.session = session }
}
