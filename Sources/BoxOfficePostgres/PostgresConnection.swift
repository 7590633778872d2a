public import Logging

/// One PostgreSQL connection: a libpq handle in nonblocking pipeline mode, used with async calls.
///
/// A call is written to the socket by the calling task itself (libpq never blocks there) and its
/// results are read by the process's ``PostgresReactor`` thread, which resumes the caller; calls
/// from several tasks are pipelined, each with its own sync point, so they fail independently.
/// Safe to share between tasks, but session state (`BEGIN`, `SET`, `LISTEN`) is shared too: use
/// ``PostgresClient/transaction(isolation:maxAttempts:_:)`` for transactions. Call ``close()`` when
/// done: it frees the handle (dropping the last reference does too).
///
/// Cancelling the task awaiting a statement call (``query(_:_:)``, ``execute(_:_:)``, ``batch(_:)``):
/// - a call not yet sent throws `CancellationError` without reaching the server;
/// - a call that is the only one in flight whose caller still waits is stopped with `PQcancel` and
///   throws ``PostgresError`` with SQLSTATE `57014`, leaving the connection usable;
/// - a call pipelined with other callers' calls throws `CancellationError` at once without
///   disturbing them; the server still runs it (it may take effect) and its results are discarded.
public final class PostgresConnection: Sendable {
    private let driver: ConnectionDriver
    let logger: Logger

    private init(driver: ConnectionDriver, logger: Logger) {
        self.driver = driver
        self.logger = logger
    }

    deinit {
        // Normally `close()` already ran; never leave a handle or a registration behind.
        driver.close()
    }

    /// Opens a connection, failing at once with ``PostgresError/Code/connectionFailed`` if the server refuses.
    public static func connect(configuration: PostgresConfiguration, logger: Logger) async throws(PostgresError) -> PostgresConnection {
        // The connect handshake blocks: it runs on a thread of its own, never on a caller's thread.
        // (Task-locals are not visible there: the affinity scope's reactor is read here.)
        let preferredReactor = PostgresReactor.preferred
        let outcome = await runBlocking {
            Result { () throws(PostgresError) -> ConnectionDriver in
                let session = try LibpqSession.connect(
                    conninfo: configuration.connectionString,
                    preparedStatementCacheCapacity: configuration.preparedStatementCacheCapacity)
                return try ConnectionDriver(session: session, preferredReactor: preferredReactor, logger: logger)
            }
        }
        let driver = try outcome.get()
        logger.debug("postgres connection opened")
        return PostgresConnection(driver: driver, logger: logger)
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
        try await driver.run(.statement(PostgresStatement(sql, bindings)), cancellable: true)[0].rows
    }

    /// Runs one statement and returns the number of rows it affected.
    public func execute(_ sql: String, _ bindings: [any PostgresEncodable] = []) async throws -> Int {
        try await driver.run(.statement(PostgresStatement(sql, bindings)), cancellable: true)[0].affectedRows
    }

    /// Runs statements in one round trip as one implicit transaction: if one fails, none take effect
    /// (unless the batch itself contains `BEGIN`/`COMMIT`) and the first error is thrown.
    public func batch(_ statements: [PostgresStatement]) async throws -> [PostgresResult] {
        guard !statements.isEmpty else { throw PostgresError(code: .invalidArgument, message: "empty batch") }
        return try await run(statements)
    }

    /// Runs SQL text with the simple query protocol: several `;`-separated statements, no parameters.
    /// For migrations and administration; returns the last statement's result. Not cancellable: it
    /// waits for calls in flight to finish and runs alone (a pool's `ROLLBACK` must always run).
    public func simpleQuery(_ sql: String) async throws -> PostgresResult {
        try await driver.run(.simpleQuery(sql), cancellable: false)[0]
    }

    /// The transaction state after the last call that completed with nothing else in flight
    /// (`idle` when no transaction is open).
    public var transactionState: PostgresTransactionState { driver.transactionState }

    /// True once the connection failed or was closed; a pool discards such connections.
    public var isClosed: Bool { driver.isClosed }

    /// Reads whatever the server sent while the connection sat idle and reports whether it is still usable.
    /// No round trip; detects a server that restarted or closed the socket.
    public func checkHealth() async -> Bool {
        driver.checkHealth()
    }

    /// Closes the connection: calls still waiting fail with ``PostgresError/Code/closed`` and the handle is freed. Idempotent.
    public func close() async {
        let wasOpen = !driver.isClosed
        driver.close()
        if wasOpen { logger.debug("postgres connection closed") }
    }

    /// Identifies the reactor thread that reads this connection (the pool's affinity key).
    var reactorIdentity: ObjectIdentifier? { driver.home }

    /// Calls on the wire, abandoned ones included (for tests).
    var callsInFlight: Int { driver.callsInFlight }

    func run(_ statements: [PostgresStatement]) async throws -> [PostgresResult] {
        try await driver.run(.statements(statements), cancellable: true)
    }
}
