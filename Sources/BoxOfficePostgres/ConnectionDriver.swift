import Logging
import BoxOfficeLocks
import Synchronization

/// Drives one libpq session: a lone caller sends on its own thread, the shared ``PostgresReactor`` reads.
///
/// Every touch of the session happens under `state`'s lock, and libpq is in nonblocking mode, so
/// nothing here blocks: a submitted call is planned and written to the socket by the submitting
/// thread, and its results are parsed by the reactor when the socket turns readable. Callers that
/// share the connection (a pool's pipelining) submit from the reactor's own queue instead, so the
/// reactor's read pass and their sends take turns on one thread rather than contend for the lock.
/// ``ConnectionStateMachine`` decides what may be sent and what a cancellation does;
/// ``PipelineStateMachine`` (inside the session) matches results to calls.
final class ConnectionDriver: ReactorSource {
    typealias CallID = ConnectionStateMachine.CallID
    typealias ResultContinuation = CallCompletions.ResultContinuation

    /// What a call sends.
    enum Payload {
        /// One statement (no array to allocate).
        case statement(PostgresStatement)
        case statements([PostgresStatement])
        case simpleQuery(String)
    }

    private struct Call {
        /// Kept only while the call waits to be sent.
        var payload: Payload?
        var continuation: ResultContinuation
    }

    private struct State {
        /// Freed (`PQfinish`) by setting it to nil in ``close()``; nil afterwards.
        var session: LibpqSession?
        var machine = ConnectionStateMachine()
        var calls: [CallID: Call] = [:]
        var reactor: PostgresReactor?
        /// The reactor registered with at the start (kept after ``close()``), for the pool's affinity.
        var home: ObjectIdentifier?
        var wantsWrite = false
    }

    private static let closedError = PostgresError(code: .closed, message: "connection is closed")

    private let state: AnnotatedMutex<State>
    private let nextCallID = Atomic<UInt64>(0)
    /// Callers inside ``run(_:cancellable:)`` now.
    private let callers = Atomic<Int>(0)
    /// The server's transaction state the last time no call was in flight (`.unknown` once closed or
    /// failed). Written under `state`'s lock, read without it: the pool checks it on every release,
    /// and taking the lock there would wait for the reactor's read pass.
    private let publishedTransactionState = Atomic<UInt8>(PostgresTransactionState.idle.rawValue)
    private let canceller: LibpqCanceller?
    private let logger: Logger

    /// Adopts a connected session and registers its socket with a reactor (`preferred` if it still runs).
    init(session: sending LibpqSession, preferredReactor: PostgresReactor?, logger: Logger) throws(PostgresError) {
        self.canceller = session.makeCanceller()
        self.logger = logger
        let socket = session.socket
        self.state = AnnotatedMutex(State(session: session))
        // Under the lock: the reactor cannot report the socket before the driver knows its reactor.
        try state.withLock { (state) throws(PostgresError) in
            let reactor = try PostgresReactor.register(self, socket: socket, preferred: preferredReactor)
            state.reactor = reactor
            state.home = ObjectIdentifier(reactor)
        }
    }

    var transactionState: PostgresTransactionState {
        PostgresTransactionState(rawValue: publishedTransactionState.load(ordering: .acquiring)) ?? .unknown
    }

    /// Identifies the reactor that reads this connection.
    var home: ObjectIdentifier? { state.withLock { $0.home } }

    var isClosed: Bool { state.withLock { $0.machine.isClosed } }

    var callsInFlight: Int { state.withLock { $0.machine.inFlightCount } }

    /// Runs `payload` and returns its results. Cancelling the caller's task follows ``ConnectionStateMachine``.
    func run(_ payload: Payload, cancellable: Bool) async throws -> [PostgresResult] {
        let id = nextCallID.wrappingAdd(1, ordering: .relaxed).oldValue
        let othersRunning = callers.wrappingAdd(1, ordering: .relaxed).oldValue > 0
        defer { callers.wrappingSubtract(1, ordering: .relaxed) }
        // Alone on the connection, the caller's thread sends and the result resumes the caller on its
        // own executor: one hop. Sharing it, the caller hops to the reactor's queue to send and is
        // resumed there (no wake-up); either way it returns to its own executor afterwards.
        let reactor = othersRunning ? state.withLock { $0.reactor } : nil
        return try await withTaskExecutorPreference(reactor) {
            guard cancellable else {
                return try await withUnsafeThrowingContinuation { submit(id, payload, $0) }
            }
            return try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { submit(id, payload, $0) }
            } onCancel: {
                cancel(id)
            }
        }
    }

    /// Reports whether the connection is usable, reading what the server sent while it sat idle.
    func checkHealth() -> Bool {
        var completions = CallCompletions()
        let healthy = state.withLock { state -> Bool in
            guard let session = state.session, !state.machine.isClosed else { return false }
            // With calls in flight the reactor is reading; their outcome will tell.
            guard state.machine.isIdle else { return true }
            if !session.checkAlive() { connectionFailed(&state, &completions) }
            return !state.machine.isClosed
        }
        completions.resumeAll()
        return healthy
    }

    /// Fails every call still waiting, stops watching the socket and frees the session. Idempotent.
    func close() {
        var completions = CallCompletions()
        state.withLock { state in
            for id in state.machine.close() {
                if let call = state.calls.removeValue(forKey: id) { completions.append(call.continuation, .failure(Self.closedError)) }
            }
            stopWatching(&state)
            state.session = nil
            publish(.unknown)
        }
        completions.resumeAll()
    }

    // MARK: Reactor

    func socketReady(waitForLock: Bool, completions: inout CallCompletions) -> Bool {
        // Input is read on either event: a flush that found the socket full may have buffered some already.
        func handle(_ state: inout State) {
            guard let session = state.session, !state.machine.isClosed else { return }
            session.readAvailable { deliver($0, $1, &state, &completions) }
            if state.wantsWrite && !session.isBroken { flush(session, &state, &completions) }
            afterIO(session, &state, &completions)
        }
        if waitForLock {
            state.withLock { handle(&$0) }
            return true
        }
        return state.withLockIfAvailable { handle(&$0) } != nil
    }

    // MARK: Calls

    private func submit(_ id: CallID, _ payload: Payload, _ continuation: ResultContinuation) {
        var completions = CallCompletions()
        let kind: ConnectionStateMachine.CallKind
        switch payload {
        case .statement, .statements: kind = .pipelined
        case .simpleQuery: kind = .simpleQuery
        }
        let rejection: ConnectionStateMachine.Rejection? = state.withLock { state in
            switch state.machine.submit(id, kind, taskIsCancelled: Task.isCancelled) {
            case .reject(let rejection):
                return rejection
            case .queue:
                state.calls[id] = Call(payload: payload, continuation: continuation)
            case .send:
                state.calls[id] = Call(payload: nil, continuation: continuation)
                if let session = state.session {
                    send(id, payload, session, &state, &completions)
                    afterIO(session, &state, &completions)
                }
            }
            return nil
        }
        switch rejection {
        case .closed?: continuation.resume(throwing: Self.closedError)
        case .cancelled?: continuation.resume(throwing: CancellationError())
        case nil: break
        }
        completions.resumeAll()
    }

    /// A caller's task was cancelled (runs on the cancelling thread).
    private func cancel(_ id: CallID) {
        let (action, continuation) = state.withLock { state -> (ConnectionStateMachine.CancelAction, ResultContinuation?) in
            let action = state.machine.cancel(id)
            guard action == .resumeWithCancellation else { return (action, nil) }
            return (action, state.calls.removeValue(forKey: id)?.continuation)
        }
        switch action {
        case .resumeWithCancellation:
            continuation?.resume(throwing: CancellationError())
        case .sendCancelRequest:
            guard let canceller else { return cancelRequestDelivered() }
            // PQcancel opens a connection and blocks: never on the caller's thread or the reactor's.
            startBlocking { [self] in
                if let failure = canceller.cancel() {
                    logger.info("postgres cancel request failed", metadata: ["postgres.error": "\(failure)"])
                }
                cancelRequestDelivered()
            }
        case .none:
            break
        }
    }

    private func cancelRequestDelivered() {
        var completions = CallCompletions()
        state.withLock { state in
            state.machine.cancelRequestDelivered()
            if let session = state.session { afterIO(session, &state, &completions) }
        }
        completions.resumeAll()
    }

    // MARK: I/O under the lock

    private func send(_ id: CallID, _ payload: Payload, _ session: LibpqSession, _ state: inout State, _ completions: inout CallCompletions) {
        switch payload {
        case .statement(let statement):
            session.send(id, CollectionOfOne(statement)) { deliver($0, $1, &state, &completions) }
        case .statements(let statements):
            session.send(id, statements) { deliver($0, $1, &state, &completions) }
        case .simpleQuery(let sql):
            session.sendSimpleQuery(id, sql) { deliver($0, $1, &state, &completions) }
        }
        flush(session, &state, &completions)
    }

    private func flush(_ session: LibpqSession, _ state: inout State, _ completions: inout CallCompletions) {
        let pending = session.flush { deliver($0, $1, &state, &completions) }
        guard pending != state.wantsWrite else { return }
        state.wantsWrite = pending
        state.reactor?.setWantsWrite(self, pending)
    }

    /// After any I/O: handle a failure, send calls that may go now, note the transaction state.
    private func afterIO(_ session: LibpqSession, _ state: inout State, _ completions: inout CallCompletions) {
        if session.isBroken {
            connectionFailed(&state, &completions)
            return
        }
        for (id, _) in state.machine.takeSendable() {
            guard let payload = state.calls[id]?.payload else { continue }
            state.calls[id]?.payload = nil
            send(id, payload, session, &state, &completions)
            if session.isBroken { return connectionFailed(&state, &completions) }
        }
        if state.machine.inFlightCount == 0 { publish(session.transactionState) }
    }

    /// Call under `state`'s lock.
    private func publish(_ transactionState: PostgresTransactionState) {
        publishedTransactionState.store(transactionState.rawValue, ordering: .releasing)
    }

    private func deliver(
        _ id: CallID, _ result: Result<[PostgresResult], PostgresError>, _ state: inout State, _ completions: inout CallCompletions
    ) {
        let completion = state.machine.completed(id)
        guard let call = state.calls.removeValue(forKey: id), completion == .resume else { return }
        completions.append(call.continuation, result.mapError { $0 as any Error })
    }

    private func connectionFailed(_ state: inout State, _ completions: inout CallCompletions) {
        let error = PostgresError(code: .connectionClosed, message: "connection lost")
        for id in state.machine.connectionFailed() {
            if let call = state.calls.removeValue(forKey: id) { completions.append(call.continuation, .failure(error)) }
        }
        publish(.unknown)
        stopWatching(&state)
    }

    /// Deregisters from the reactor (before the socket can be closed by `PQfinish`).
    private func stopWatching(_ state: inout State) {
        guard let reactor = state.reactor else { return }
        state.reactor = nil
        reactor.deregister(self)
    }
}
