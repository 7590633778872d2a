public import Logging
public import NIOCore
import NIOPosix
import Synchronization

/// The client side of a gRPC target: a small pool of HTTP/2 connections per endpoint, endpoints
/// used round-robin, failover away from endpoints that cannot be reached (retried after an
/// exponential backoff with jitter), GOAWAY and keepalive handled per connection.
///
/// Connections are opened lazily by the first calls that need them. Thread-safe; share one
/// channel per target. Call ``close()`` when done: open calls finish, then connections close.
public final class GRPCChannel: Sendable {
    /// How the channel connects and balances.
    public struct Configuration: Sendable {
        /// HTTP/2 connections kept per endpoint.
        public var connectionsPerEndpoint = 2
        /// Delay before retrying an endpoint that failed to connect.
        public var backoff = ConnectionBackoff()
        /// Per-connection settings: keepalive, connect timeout, message size.
        public var connection = ClientConnectionConfiguration()

        /// The defaults: two connections per endpoint, gRPC's backoff, 30 s keepalive.
        public init() {}
    }

    /// The endpoints, in the order given.
    public let endpoints: [ClientEndpoint]
    /// The configuration the channel was made with.
    public let configuration: Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state: Mutex<PoolState>

    private struct PoolState: ~Copyable {
        var machine: ConnectionPoolStateMachine<ClientConnection>
        var attempts: [ConnectionPoolStateMachine<ClientConnection>.Attempt: Task<ClientConnection, any Error>] = [:]
        var random = SystemRandomNumberGenerator()
    }

    /// Creates a channel; nothing connects until the first call.
    ///
    /// - Parameters:
    ///   - endpoints: one or more servers of the same service.
    ///   - configuration: pool, backoff and connection settings.
    ///   - group: the event loops the connections run on; NIO's shared singleton group by default.
    ///   - logger: connection-level events at debug level.
    public init(endpoints: [ClientEndpoint], configuration: Configuration = Configuration(),
                group: (any EventLoopGroup)? = nil,
                logger: Logger = Logger(label: "boxoffice.rpc.client")) {
        precondition(!endpoints.isEmpty, "a channel needs at least one endpoint")
        self.endpoints = endpoints
        self.configuration = configuration
        self.group = group ?? MultiThreadedEventLoopGroup.singleton
        self.logger = logger
        self.state = Mutex(PoolState(machine: ConnectionPoolStateMachine(
            endpointCount: endpoints.count, connectionsPerEndpoint: max(1, configuration.connectionsPerEndpoint))))
    }

    /// Creates a channel to one `host:port`.
    public convenience init(host: String, port: Int, configuration: Configuration = Configuration()) {
        self.init(endpoints: [ClientEndpoint(host: host, port: port)], configuration: configuration)
    }

    /// Opens a stream for a call on some healthy connection.
    ///
    /// - Throws: ``RPCError`` UNAVAILABLE when no endpoint can take the call (after trying each
    ///   reachable one once); with `waitForReady`, waits for backed-off endpoints until `deadline`.
    func openStream(headers: [HTTP2HeaderField], body: [UInt8], endStream: Bool,
                    deadline: ContinuousClock.Instant?, waitForReady: Bool) async throws(RPCError) -> ClientStream {
        var lastError: RPCError?
        let maxTries = endpoints.count * (configuration.connectionsPerEndpoint + 2) + 2
        var tries = 0
        while true {
            tries += 1
            if Task.isCancelled { throw RPCError(code: .cancelled, message: "the call was cancelled") }
            let decision = state.withLock { state in
                state.machine.pick(now: .now)
            }
            var connection: ClientConnection?
            switch decision {
            case .use(let ready):
                connection = ready
            case .connect(let attempt):
                connection = await outcome(of: startConnecting(attempt), lastError: &lastError)
            case .wait(let attempt):
                if let task = state.withLock({ $0.attempts[attempt] }) {
                    connection = await outcome(of: task, lastError: &lastError)
                }
            case .unavailable(let retryAt, let reason):
                let error = RPCError(code: .unavailable, message: reason, cause: lastError)
                guard waitForReady, let retryAt else { throw error }
                if let deadline, deadline <= retryAt {
                    throw RPCError(code: .deadlineExceeded, message: "deadline exceeded waiting for a connection: \(reason)")
                }
                do { try await Task.sleep(until: retryAt, clock: .continuous) } catch {
                    throw RPCError(code: .cancelled, message: "the call was cancelled")
                }
                tries = 0
                continue
            case .closed:
                throw RPCError(code: .unavailable, message: "the channel is closed")
            }
            if let connection,
               let stream = try await connection.openStream(headers: headers, body: body, endStream: endStream,
                                                            deadline: deadline) {
                return stream
            }
            if tries >= maxTries && !waitForReady {
                throw lastError ?? RPCError(code: .unavailable, message: "no connection could take the call")
            }
        }
    }

    /// Closes the channel: no new calls; open calls finish, then every connection closes.
    public func close() async {
        let (connections, attempts) = state.withLock { state in
            (state.machine.close(), Array(state.attempts.values))
        }
        for attempt in attempts { attempt.cancel() }
        for connection in connections { connection.closeGracefully() }
        for connection in connections { try? await connection.closeFuture.get() }
    }

    // MARK: -

    private func outcome(of task: Task<ClientConnection, any Error>, lastError: inout RPCError?) async -> ClientConnection? {
        do {
            return try await task.value
        } catch let failure as RPCError {
            lastError = failure
        } catch {
            lastError = RPCError(code: .unavailable, message: "\(error)", cause: error)
        }
        return nil
    }

    private func startConnecting(_ attempt: ConnectionPoolStateMachine<ClientConnection>.Attempt)
        -> Task<ClientConnection, any Error> {
        let endpoint = endpoints[attempt.endpoint]
        let task = Task<ClientConnection, any Error> { [configuration, group, logger] in
            do {
                let connection = try await ClientConnection.connect(to: endpoint, configuration: configuration.connection,
                                                                    group: group, logger: logger)
                self.connected(attempt, connection: connection)
                return connection
            } catch {
                let failure = error as? RPCError ?? RPCError(code: .unavailable, message: "\(error)", cause: error)
                self.connectFailed(attempt, error: failure)
                throw failure
            }
        }
        state.withLock { $0.attempts[attempt] = task }
        return task
    }

    private func connected(_ attempt: ConnectionPoolStateMachine<ClientConnection>.Attempt, connection: ClientConnection) {
        let kept = state.withLock { state in
            state.attempts[attempt] = nil
            return state.machine.connectSucceeded(attempt, connection: connection)
        }
        guard kept else {
            connection.close()
            return
        }
        logger.debug("connected", metadata: ["rpc.endpoint": "\(connection.endpoint)"])
        connection.closeFuture.whenComplete { [weak self] _ in
            self?.connectionClosed(attempt, connection: connection)
        }
    }

    private func connectionClosed(_ attempt: ConnectionPoolStateMachine<ClientConnection>.Attempt,
                                  connection: ClientConnection) {
        let backoff = configuration.backoff
        state.withLock { state in
            guard let reason = connection.availability.snapshot.unhealthyReason else {
                state.machine.connectionClosed(attempt, connection: connection)
                return
            }
            var random = state.random
            state.machine.connectionFailed(attempt, connection: connection, reason: reason, now: .now) { failures in
                backoff.delay(afterFailures: failures, using: &random)
            }
            state.random = random
        }
    }

    private func connectFailed(_ attempt: ConnectionPoolStateMachine<ClientConnection>.Attempt, error: RPCError) {
        logger.debug("connect failed", metadata: ["rpc.endpoint": "\(endpoints[attempt.endpoint])",
                                                   "rpc.error": "\(error)"])
        let backoff = configuration.backoff
        state.withLock { state in
            state.attempts[attempt] = nil
            var random = state.random
            state.machine.connectFailed(attempt, reason: error.message, now: .now) { failures in
                backoff.delay(afterFailures: failures, using: &random)
            }
            state.random = random
        }
    }
}
