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
public final class PostgresConnection: Sendable {
    private enum Work {
        case pipeline([PostgresStatement], CheckedContinuation<[PostgresResult], any Error>)
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
    }

    /// Holds the session; touched only on `thread`, whose single worker runs one drain at a time.
    private final class SessionBox: @unchecked Sendable {
        var session: LibpqSession?
        init(_ session: LibpqSession) { self.session = session }
    }

    private let thread: NIOThreadPool
    private let box: SessionBox
    private let inbox = Mutex(Inbox())
    let logger: Logger

    private init(thread: NIOThreadPool, session: LibpqSession, logger: Logger) {
        self.thread = thread
        self.box = SessionBox(session)
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
                    continuation.resume(returning: .success(SendableSession(try LibpqSession.connect(conninfo: configuration.connectionString))))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        switch outcome {
        case .success(let connected):
            logger.debug("postgres connection opened")
            return PostgresConnection(thread: thread, session: connected.session, logger: logger)
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
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.pipeline(statements, continuation))
        }
    }

    private func enqueue(_ work: Work, evenIfClosed: Bool = false) {
        let startDrain: Bool? = inbox.withLock { state in
            if state.closed && !evenIfClosed { return nil }
            state.queue.append(work)
            if state.draining { return false }
            state.draining = true
            return true
        }
        switch startDrain {
        case nil: Self.reject(work)
        case true?: thread.submit { [self] _ in drain() }
        case false?: break
        }
    }

    private static let closedError = PostgresError(code: .closed, message: "connection is closed")

    private static func reject(_ work: Work) {
        switch work {
        case .pipeline(_, let continuation), .simple(_, let continuation): continuation.resume(throwing: closedError)
        case .health(let continuation): continuation.resume(returning: false)
        case .close(let continuation): continuation.resume()
        }
    }

    /// Runs on `thread`: takes everything queued, runs it, repeats until the queue is empty.
    private func drain() {
        while true {
            let batch: [Work] = inbox.withLock { state in
                if state.queue.isEmpty { state.draining = false }
                defer { state.queue.removeAll(keepingCapacity: true) }
                return state.queue
            }
            if batch.isEmpty { return }
            var completions = Completions()
            process(batch, &completions)
            let session = box.session
            let transactionState = session?.transactionState ?? .unknown
            let broken = session?.isBroken ?? true
            // Publish the state before resuming callers, so each sees the state its own call left.
            inbox.withLock { state in
                state.transactionState = transactionState
                state.broken = broken
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
            case .pipeline(let statements, let continuation):
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
