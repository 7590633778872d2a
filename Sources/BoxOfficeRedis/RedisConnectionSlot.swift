/// The life of one pooled connection position in ``RedisClient``, as a value type without I/O:
/// connect, use, lose, reconnect with backoff, shut down.
///
/// `Connection` is compared by identity so a close notice from a connection that was already
/// replaced is ignored.
struct RedisConnectionSlot<Connection: AnyObject> {
    enum State {
        /// A connect attempt is running; `attempt` counts failures since the last success.
        case connecting(attempt: Int)
        case connected(Connection)
        /// Waiting out the backoff before attempt number `attempt`.
        case waitingToReconnect(attempt: Int)
        case shutDown
    }

    enum Action {
        case none
        /// Start a connect attempt now.
        case connect
        /// Wait, then call ``reconnectTimerFired()``.
        case scheduleReconnect(after: Duration)
        /// Close this connection (it arrived after shutdown, or the client is shutting down).
        case close(Connection)
    }

    private(set) var state: State
    let backoff: RedisBackoff

    /// A slot whose first connect attempt is already running.
    init(backoff: RedisBackoff) {
        self.state = .connecting(attempt: 0)
        self.backoff = backoff
    }

    /// A slot that starts with an established connection.
    init(connection: Connection, backoff: RedisBackoff) {
        self.state = .connected(connection)
        self.backoff = backoff
    }

    /// The connection to use, when there is one.
    var connection: Connection? {
        if case .connected(let connection) = state { return connection }
        return nil
    }

    mutating func connectSucceeded(_ connection: Connection) -> Action {
        switch state {
        case .connecting:
            state = .connected(connection)
            return .none
        case .shutDown:
            return .close(connection)
        case .connected, .waitingToReconnect:
            preconditionFailure("connect finished in state \(state) where no connect was running")
        }
    }

    mutating func connectFailed() -> Action {
        switch state {
        case .connecting(let attempt):
            state = .waitingToReconnect(attempt: attempt + 1)
            return .scheduleReconnect(after: backoff.delay(forAttempt: attempt))
        case .shutDown:
            return .none
        case .connected, .waitingToReconnect:
            preconditionFailure("connect failed in state \(state) where no connect was running")
        }
    }

    /// `connection` closed. The first reconnect attempt starts at once; later ones back off.
    mutating func connectionClosed(_ connection: Connection) -> Action {
        guard case .connected(let current) = state, current === connection else { return .none }
        state = .connecting(attempt: 0)
        return .connect
    }

    mutating func reconnectTimerFired() -> Action {
        switch state {
        case .waitingToReconnect(let attempt):
            state = .connecting(attempt: attempt)
            return .connect
        case .shutDown:
            return .none
        case .connecting, .connected:
            preconditionFailure("reconnect timer fired in state \(state)")
        }
    }

    mutating func shutdown() -> Action {
        defer { state = .shutDown }
        if case .connected(let connection) = state { return .close(connection) }
        return .none
    }
}
