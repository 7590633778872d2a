import BoxOfficeLocks
import BoxOfficeRandom
public import Logging
public import NIOCore
import NIOPosix

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
        /// When set, each new connection is used only after `grpc.health.v1.Health/Check` for this
        /// service name (`""`: the whole server) answers SERVING; otherwise its endpoint backs off
        /// like an unreachable one. Nil (the default) skips the check.
        public var healthCheckService: String?

        /// The defaults: two connections per endpoint, gRPC's backoff, 30 s keepalive.
        public init() {}
    }

    /// The endpoints, in the order given.
    public let endpoints: [ClientEndpoint]
    /// The configuration the channel was made with.
    public let configuration: Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state: AnnotatedMutex<PoolState>

    private struct PoolState: ~Copyable {
        var machine: ConnectionPoolStateMachine<ClientConnection>
        var attempts: [ConnectionPoolStateMachine<ClientConnection>.Attempt: Task<ClientConnection, any Error>] = [:]
        /// Backoff jitter: seeded from the system generator, but not `SystemRandomNumberGenerator`
        /// itself, an empty type the compiler gives no real address; TSan's instrumentation of
        /// the `inout` access to it crashed a TSan run of the channel tests (Swift 6.3.1).
        var random = SplitMix64(seed: .random(in: .min ... .max))
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
        self.state = AnnotatedMutex(PoolState(machine: ConnectionPoolStateMachine(
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
                connection = try await outcome(of: startConnecting(attempt), deadline: deadline, lastError: &lastError)
            case .wait(let attempt):
                if let task = state.withLock({ $0.attempts[attempt] }) {
                    connection = try await outcome(of: task, deadline: deadline, lastError: &lastError)
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
            // Waiting for ready rides out backoffs, not endless refusals by connected servers.
            if tries >= maxTries && (!waitForReady || tries >= maxTries * 20) {
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

    /// Waits for a connection attempt, but not past the call's deadline (the attempt goes on for
    /// the calls after this one).
    private func outcome(of task: Task<ClientConnection, any Error>, deadline: ContinuousClock.Instant?,
                         lastError: inout RPCError?) async throws(RPCError) -> ClientConnection? {
        let result: Result<ClientConnection, any Error>
        if let deadline {
            result = await Self.race(task, deadline: deadline)
        } else {
            result = await task.result
        }
        switch result {
        case .success(let connection):
            return connection
        case .failure(let failure as RPCError) where failure.code == .deadlineExceeded:
            throw failure
        case .failure(let failure as RPCError):
            lastError = failure
        case .failure(let failure):
            lastError = RPCError(code: .unavailable, message: "\(failure)", cause: failure)
        }
        return nil
    }

    /// The attempt's result, or DEADLINE_EXCEEDED if `deadline` comes first. Awaiting a task's
    /// value cannot be cancelled, so both sides run unstructured and the first one resumes.
    static func race(_ task: Task<ClientConnection, any Error>,
                     deadline: ContinuousClock.Instant) async -> Result<ClientConnection, any Error> {
        await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            let timer = Task {
                // Cancelled: the attempt finished first (and has resumed already).
                do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return }
                once.resume(.failure(RPCError(code: .deadlineExceeded, message: "deadline exceeded while connecting")))
            }
            Task {
                let result = await task.result
                // Resume before cancelling the timer: the cancelled timer must not win the race.
                once.resume(result)
                timer.cancel()
            }
        }
    }

    private func startConnecting(_ attempt: ConnectionPoolStateMachine<ClientConnection>.Attempt)
        -> Task<ClientConnection, any Error> {
        // Registered under the lock that the task's own outcome report takes, so a quick failure
        // cannot run before the registration and leave a stale entry behind.
        state.withLock { state in
            let task = Task { try await self.establish(attempt) }
            state.attempts[attempt] = task
            return task
        }
    }

    /// Connects (and health-checks, when configured) one slot, then reports the outcome to the pool.
    private func establish(_ attempt: ConnectionPoolStateMachine<ClientConnection>.Attempt) async throws -> ClientConnection {
        do {
            let connection = try await ClientConnection.connect(to: endpoints[attempt.endpoint],
                                                                configuration: configuration.connection,
                                                                group: group, logger: logger)
            if let service = configuration.healthCheckService {
                do {
                    let timeout = Duration.nanoseconds(configuration.connection.connectTimeout.nanoseconds)
                    try await ConnectionHealthCheck.check(service: service, on: connection, timeout: timeout)
                } catch {
                    connection.close()
                    throw error
                }
            }
            connected(attempt, connection: connection)
            return connection
        } catch {
            let failure = error as? RPCError ?? RPCError(code: .unavailable, message: "\(error)", cause: error)
            connectFailed(attempt, error: failure)
            throw failure
        }
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

/// Resumes a continuation with whichever result comes first; later ones are dropped.
private final class ResumeOnce<Value: Sendable>: Sendable {
    private let continuation: AnnotatedMutex<CheckedContinuation<Value, Never>?>

    init(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation = AnnotatedMutex(continuation)
    }

    func resume(_ value: Value) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
