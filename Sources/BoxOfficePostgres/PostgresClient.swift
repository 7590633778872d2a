public import Logging
import BoxOfficeLocks

/// A pool of PostgreSQL connections: the `db` services use.
///
/// Safe to use from many tasks at once. Plain calls (``query(_:_:)``, ``execute(_:_:)``,
/// ``batch(_:)``) borrow a connection for one round trip; with ``PostgresPoolOptions/pipelineDepth``
/// above 1, concurrent calls share connections, pipelined without waiting for each other's answers.
/// Every connection's socket is read by one process-wide thread (``PostgresConnection``).
/// ``transaction(isolation:maxAttempts:_:)`` holds one connection exclusively. A connection that
/// broke, or is left in an open or failed transaction, is never lent again. Call ``shutdown()``
/// before dropping the client.
public final class PostgresClient: Sendable {
    typealias Machine = PoolStateMachine<PostgresConnection>

    private struct Waiter {
        var continuation: CheckedContinuation<Machine.Grant, any Error>
        var timeout: Task<Void, Never>?
    }

    private struct State {
        var machine: Machine
        var waiters: [Int: Waiter] = [:]
        var nextWaiterID = 0
    }

    /// Where connections go.
    public let configuration: PostgresConfiguration
    /// Pool limits.
    public let options: PostgresPoolOptions
    let logger: Logger
    private let state: AnnotatedMutex<State>

    /// Creates a pool; connections open lazily on first use.
    public init(configuration: PostgresConfiguration, options: PostgresPoolOptions = .init(), logger: Logger) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
        self.state = AnnotatedMutex(State(machine: Machine(maximumConnections: options.maximumConnections, pipelineDepth: options.pipelineDepth)))
    }

    /// Runs one statement and returns its rows.
    public func query(_ sql: String, _ bindings: [any PostgresEncodable] = []) async throws -> PostgresRows {
        try await withConnection(exclusive: false) { try await $0.query(sql, bindings) }
    }

    /// Runs one statement and returns the number of rows it affected (e.g. whether a conditional hold won).
    public func execute(_ sql: String, _ bindings: [any PostgresEncodable] = []) async throws -> Int {
        try await withConnection(exclusive: false) { try await $0.execute(sql, bindings) }
    }

    /// Runs statements in one round trip as one implicit transaction (all or nothing); returns one result each.
    public func batch(_ statements: [PostgresStatement]) async throws -> [PostgresResult] {
        try await withConnection(exclusive: false) { try await $0.batch(statements) }
    }

    /// Lends a connection for `body`. With `exclusive`, no other caller uses it meanwhile (needed for
    /// session state); a transaction left open by `body` is rolled back before the connection is reused.
    /// - Throws: ``PostgresError`` `poolTimeout` when none is free within the acquire timeout.
    public func withConnection<Result: Sendable>(
        exclusive: Bool = true, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let (slot, connection) = try await lease(exclusive: exclusive)
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            await release(slot, connection, exclusive: exclusive)
            throw error
        }
        await release(slot, connection, exclusive: exclusive)
        return result
    }

    /// Runs `body` with its tasks preferring one of the process's PostgreSQL reactor threads
    /// (an SE-0417 task executor preference, inherited by child tasks).
    ///
    /// A result then resumes its caller on the thread that read it, and the caller's next statement
    /// is sent from that thread: a round trip wakes no other thread, as in pgbench's client loop.
    /// Connections this pool opens inside `body` are read by that reactor, and leases inside prefer
    /// them. For loops that do little but database calls (batch jobs, sweepers, benchmarks): while a
    /// task in `body` computes without suspending, every connection on that reactor waits; blocking
    /// calls are not allowed. Each scope picks the least busy reactor, so two scopes run on two threads.
    /// - Throws: ``PostgresError`` `connectionFailed` when no reactor thread can be started; whatever `body` throws.
    public func withReactorAffinity<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        let reactor = try PostgresReactor.pin()
        defer { reactor.unpin() }
        return try await PostgresReactor.$preferred.withValue(reactor) {
            try await withTaskExecutorPreference(reactor, operation: body)
        }
    }

    /// Closes every connection and fails waiting callers with ``PostgresError/Code/closed``.
    /// Connections lent out at that moment close when returned.
    public func shutdown() async {
        let (connections, waiters) = state.withLock { state in
            let (connections, waiterIDs) = state.machine.shutDown()
            let waiters = waiterIDs.compactMap { state.waiters.removeValue(forKey: $0) }
            return (connections, waiters)
        }
        for waiter in waiters {
            waiter.timeout?.cancel()
            waiter.continuation.resume(throwing: PostgresError(code: .closed, message: "pool is shut down"))
        }
        for connection in connections { await connection.close() }
    }

    /// Waits until the server accepts a connection, retrying with backoff until `deadline`
    /// (for service start-up while the database may still be starting).
    /// - Throws: the last connection error once the deadline passes.
    public func waitUntilReachable(deadline: ContinuousClock.Instant) async throws {
        let connection = try await PostgresConnection.connect(configuration: configuration, retryingUntil: deadline, logger: logger)
        await connection.close()
    }

    /// Connections currently open (lent or idle), for tests and metrics.
    public var openConnectionCount: Int { state.withLock { $0.machine.openCount } }

    // MARK: Leasing

    private func lease(exclusive: Bool) async throws -> (Int, PostgresConnection) {
        let near = PostgresReactor.preferred.map(ObjectIdentifier.init)
        while true {
            let grant = try await grant(exclusive: exclusive, near: near)
            switch grant {
            case .lease(let slot, let connection, let idleSince):
                if let idleSince, ContinuousClock.now - idleSince > options.healthCheckAfterIdle || connection.isClosed {
                    if await !connection.checkHealth() {
                        logger.info("postgres connection failed its health check; replacing it")
                        await drop(slot, connection)
                        continue
                    }
                }
                return (slot, connection)
            case .create:
                do {
                    let connection = try await PostgresConnection.connect(configuration: configuration, logger: logger)
                    let slot = state.withLock { $0.machine.created(connection, exclusive: exclusive, home: connection.reactorIdentity) }
                    return (slot, connection)
                } catch {
                    let grants = state.withLock { state in takeWaiters(state.machine.creationFailed(), from: &state) }
                    resume(grants)
                    throw error
                }
            }
        }
    }

    /// A grant for this caller: at once when the pool can give one, else after waiting in line
    /// (up to the acquire timeout). The immediate case does not suspend the task.
    private func grant(exclusive: Bool, near: ObjectIdentifier?) async throws -> Machine.Grant {
        switch state.withLock({ $0.machine.acquireWithoutWaiting(exclusive: exclusive, near: near) }) {
        case .grant(let grant)?: return grant
        case .closed?: throw PostgresError(code: .closed, message: "pool is shut down")
        case .wait?, nil: break
        }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Machine.Grant, any Error>) in
            let closed: Bool = state.withLock { state in
                let id = state.nextWaiterID
                state.nextWaiterID += 1
                switch state.machine.acquire(exclusive: exclusive, waiter: id, near: near) {
                case .grant(let grant):
                    continuation.resume(returning: grant)
                case .wait:
                    let timeout = Task { [options] in
                        try? await Task.sleep(for: options.acquireTimeout)
                        if !Task.isCancelled { self.timeOut(waiter: id) }
                    }
                    state.waiters[id] = Waiter(continuation: continuation, timeout: timeout)
                case .closed:
                    return true
                }
                return false
            }
            if closed { continuation.resume(throwing: PostgresError(code: .closed, message: "pool is shut down")) }
        }
    }

    private func release(_ slot: Int, _ connection: PostgresConnection, exclusive: Bool) async {
        // Idle means open too: a closed or failed connection reports `.unknown` (a read without the
        // connection's lock, which the reactor holds while it reads).
        var keep = connection.transactionState == .idle
        if !keep && exclusive && !connection.isClosed {
            logger.debug("rolling back a transaction left open on a pooled connection")
            _ = try? await connection.simpleQuery("ROLLBACK")
            keep = connection.transactionState == .idle
        }
        if keep {
            let grants = state.withLock { state in
                takeWaiters(state.machine.release(slot, keep: true, now: .now), from: &state)
            }
            if state.withLock({ $0.machine.isShutDown }) { await connection.close() }
            resume(grants)
        } else {
            await drop(slot, connection)
        }
    }

    private func drop(_ slot: Int, _ connection: PostgresConnection) async {
        let grants = state.withLock { state in
            takeWaiters(state.machine.release(slot, keep: false, now: .now), from: &state)
        }
        resume(grants)
        await connection.close()
    }

    private func timeOut(waiter id: Int) {
        let waiter: Waiter? = state.withLock { state in
            guard state.machine.cancelWaiter(id) else { return nil }
            return state.waiters.removeValue(forKey: id)
        }
        waiter?.continuation.resume(throwing: PostgresError(
            code: .poolTimeout, message: "no connection available within \(options.acquireTimeout)"))
    }

    private func takeWaiters(_ grants: [(Int, Machine.Grant)], from state: inout State) -> [(Waiter, Machine.Grant)] {
        grants.compactMap { id, grant in state.waiters.removeValue(forKey: id).map { ($0, grant) } }
    }

    private func resume(_ grants: [(Waiter, Machine.Grant)]) {
        for (waiter, grant) in grants {
            waiter.timeout?.cancel()
            waiter.continuation.resume(returning: grant)
        }
    }
}

extension PoolStateMachine.Grant: @unchecked Sendable where Connection: Sendable {}
