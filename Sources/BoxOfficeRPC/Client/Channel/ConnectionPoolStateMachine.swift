/// A connection the pool can hand a call to.
protocol PooledConnection: AnyObject, Sendable {
    /// Claims one stream slot; false when the connection takes no new stream.
    func reserveStream() -> Bool
}

/// Which connection a new call uses: a few HTTP/2 connections per endpoint, endpoints taken
/// round-robin, endpoints that failed to connect skipped until their backoff has passed.
///
/// A value type with no I/O: ``pick(now:)`` returns a ``Decision``; the owner connects, then
/// reports the outcome with ``connectSucceeded(_:connection:)`` or
/// ``connectFailed(_:reason:now:backoff:)``, and reports closed connections with
/// ``connectionClosed(_:connection:)``.
struct ConnectionPoolStateMachine<Connection: PooledConnection>: Sendable {
    /// Identifies one connection attempt (endpoint, slot, attempt number).
    struct Attempt: Sendable, Hashable {
        var endpoint: Int
        var slot: Int
        var id: Int
    }

    enum Decision: Sendable {
        /// Open the call's stream on this connection (a stream slot is reserved).
        case use(Connection)
        /// Connect this slot, then report the outcome; the call then uses the new connection.
        case connect(Attempt)
        /// Another call is connecting this slot; wait for that attempt's outcome.
        case wait(Attempt)
        /// Every endpoint is backing off (the earliest may be retried at `retryAt`), or every
        /// connection is at its stream limit (`retryAt` nil).
        case unavailable(retryAt: ContinuousClock.Instant?, reason: String)
        /// The pool was closed.
        case closed
    }

    private enum Slot: Sendable {
        case empty
        case connecting(Attempt)
        case ready(Connection)
    }

    private struct Endpoint: Sendable {
        var slots: [Slot]
        var nextSlot = 0
        var consecutiveFailures = 0
        var retryAt: ContinuousClock.Instant?
        var lastFailure: String?
    }

    private var endpoints: [Endpoint]
    private var cursor = 0
    private var attempts = 0
    private(set) var isClosed = false

    /// - Parameters:
    ///   - endpointCount: how many endpoints (at least one).
    ///   - connectionsPerEndpoint: HTTP/2 connections kept per endpoint (at least one).
    init(endpointCount: Int, connectionsPerEndpoint: Int) {
        precondition(endpointCount > 0 && connectionsPerEndpoint > 0)
        endpoints = Array(repeating: Endpoint(slots: Array(repeating: .empty, count: connectionsPerEndpoint)),
                          count: endpointCount)
    }

    /// Chooses where the next call goes. Endpoints rotate per call.
    mutating func pick(now: ContinuousClock.Instant) -> Decision {
        if isClosed { return .closed }
        let start = cursor
        cursor = (cursor + 1) % endpoints.count
        var earliestRetry: ContinuousClock.Instant?
        var reasons: [String] = []
        for offset in 0..<endpoints.count {
            let index = (start + offset) % endpoints.count
            if let retryAt = endpoints[index].retryAt, retryAt > now {
                earliestRetry = min(earliestRetry ?? retryAt, retryAt)
                reasons.append(endpoints[index].lastFailure ?? "endpoint \(index) is backing off")
                continue
            }
            if let decision = pick(inEndpoint: index) { return decision }
        }
        if let earliestRetry {
            return .unavailable(retryAt: earliestRetry, reason: reasons.joined(separator: "; "))
        }
        return .unavailable(retryAt: nil, reason: "every connection is at its concurrent stream limit")
    }

    private mutating func pick(inEndpoint index: Int) -> Decision? {
        let count = endpoints[index].slots.count
        let first = endpoints[index].nextSlot
        endpoints[index].nextSlot = (first + 1) % count
        var emptySlot: Int?
        var pending: Attempt?
        for offset in 0..<count {
            let slot = (first + offset) % count
            switch endpoints[index].slots[slot] {
            case .ready(let connection):
                if connection.reserveStream() { return .use(connection) }
            case .empty:
                emptySlot = emptySlot ?? slot
            case .connecting(let attempt):
                pending = pending ?? attempt
            }
        }
        if let emptySlot {
            attempts += 1
            let attempt = Attempt(endpoint: index, slot: emptySlot, id: attempts)
            endpoints[index].slots[emptySlot] = .connecting(attempt)
            return .connect(attempt)
        }
        if let pending { return .wait(pending) }
        return nil
    }

    /// The attempt connected. Returns false when the pool closed meanwhile (close the connection).
    mutating func connectSucceeded(_ attempt: Attempt, connection: Connection) -> Bool {
        guard !isClosed, case .connecting(let current) = endpoints[attempt.endpoint].slots[attempt.slot],
              current == attempt else { return false }
        endpoints[attempt.endpoint].slots[attempt.slot] = .ready(connection)
        endpoints[attempt.endpoint].consecutiveFailures = 0
        endpoints[attempt.endpoint].retryAt = nil
        endpoints[attempt.endpoint].lastFailure = nil
        return true
    }

    /// The attempt failed: the endpoint is skipped until `now + backoff(failures)`.
    mutating func connectFailed(_ attempt: Attempt, reason: String, now: ContinuousClock.Instant,
                                backoff: (_ consecutiveFailures: Int) -> Duration) {
        guard case .connecting(let current) = endpoints[attempt.endpoint].slots[attempt.slot],
              current == attempt else { return }
        endpoints[attempt.endpoint].slots[attempt.slot] = .empty
        endpoints[attempt.endpoint].consecutiveFailures += 1
        endpoints[attempt.endpoint].retryAt = now + backoff(endpoints[attempt.endpoint].consecutiveFailures)
        endpoints[attempt.endpoint].lastFailure = reason
    }

    /// A connection closed (server went away, GOAWAY drained, keepalive timeout); its slot is
    /// free for the next call to reconnect.
    mutating func connectionClosed(_ attempt: Attempt, connection: Connection) {
        guard case .ready(let current) = endpoints[attempt.endpoint].slots[attempt.slot],
              current === connection else { return }
        endpoints[attempt.endpoint].slots[attempt.slot] = .empty
    }

    /// A connection failed in a way that says its endpoint is unhealthy (keepalive unanswered,
    /// protocol error): free the slot and back off from the endpoint as after a failed connect.
    mutating func connectionFailed(_ attempt: Attempt, connection: Connection, reason: String,
                                   now: ContinuousClock.Instant, backoff: (_ consecutiveFailures: Int) -> Duration) {
        guard case .ready(let current) = endpoints[attempt.endpoint].slots[attempt.slot],
              current === connection else { return }
        endpoints[attempt.endpoint].slots[attempt.slot] = .empty
        endpoints[attempt.endpoint].consecutiveFailures += 1
        endpoints[attempt.endpoint].retryAt = now + backoff(endpoints[attempt.endpoint].consecutiveFailures)
        endpoints[attempt.endpoint].lastFailure = reason
    }

    /// Whether the endpoint is currently being skipped.
    func isBackingOff(endpoint: Int, now: ContinuousClock.Instant) -> Bool {
        endpoints[endpoint].retryAt.map { $0 > now } ?? false
    }

    /// Consecutive failed attempts for the endpoint.
    func consecutiveFailures(endpoint: Int) -> Int {
        endpoints[endpoint].consecutiveFailures
    }

    /// Closes the pool; returns the connections to close.
    mutating func close() -> [Connection] {
        isClosed = true
        var open: [Connection] = []
        for index in endpoints.indices {
            for slot in endpoints[index].slots.indices {
                if case .ready(let connection) = endpoints[index].slots[slot] { open.append(connection) }
                endpoints[index].slots[slot] = .empty
            }
        }
        return open
    }
}
