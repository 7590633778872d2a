public import NIOCore
public import NIOPosix
public import Logging
internal import BoxOfficeLocks
import Synchronization

/// A small pool of pipelined ``RedisConnection``s used round robin, reconnecting with backoff.
///
/// Create with ``connect(configuration:connectionCount:eventLoopGroup:connectDeadline:backoff:logger:)``
/// and share freely between tasks; call ``close()`` when done. Each command goes to the next
/// connection that is up. While a connection is down its slot reconnects in the background (first at
/// once, then with ``RedisBackoff``). **When no connection is up, calls fail fast** with
/// ``RedisError/Code/notConnected`` rather than waiting: callers decide whether to retry.
/// Commands already written when a connection breaks fail with ``RedisError/Code/connectionClosed``
/// and are never resent (they may or may not have run).
///
/// A batch (``execute(_:)``) is written contiguously on one connection, so `MULTI … EXEC` sent as
/// one batch is safe.
public final class RedisClient: RedisCommandSender, Sendable {
    /// The server this client talks to.
    public let configuration: RedisConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let slots: AnnotatedMutex<[RedisConnectionSlot<RedisConnection>]>
    private let connectionCount: Int
    private let nextSlot = Atomic<Int>(0)

    private init(configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup, logger: Logger,
                 connections: [RedisConnection], backoff: RedisBackoff) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.connectionCount = connections.count
        self.slots = AnnotatedMutex(connections.map { RedisConnectionSlot(connection: $0, backoff: backoff) })
    }

    /// Opens `connectionCount` connections, retrying each with `backoff` until `connectDeadline`.
    ///
    /// - Throws: ``RedisError/Code/connectionFailed`` when the server stays unreachable until the
    ///   deadline (the message names the address, the number of attempts and the last error);
    ///   ``RedisError/Code/authenticationFailed`` at once when AUTH is refused (retrying cannot help).
    public static func connect(
        configuration: RedisConfiguration,
        connectionCount: Int = 4,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        connectDeadline: Duration = .seconds(10),
        backoff: RedisBackoff = RedisBackoff(),
        logger: Logger = Logger(label: "boxoffice.redis")
    ) async throws -> RedisClient {
        precondition(connectionCount > 0, "a Redis client needs at least one connection")
        let deadline = ContinuousClock.now + connectDeadline
        let connections = try await withThrowingTaskGroup(of: RedisConnection.self) { group in
            for _ in 0..<connectionCount {
                group.addTask {
                    try await connectWithRetry(configuration: configuration, eventLoopGroup: eventLoopGroup,
                                               deadline: deadline, backoff: backoff, logger: logger)
                }
            }
            var connections: [RedisConnection] = []
            do {
                for try await connection in group { connections.append(connection) }
            } catch {
                for connection in connections { await connection.closeImmediately() }
                while let connection = try? await group.next() { await connection.closeImmediately() }
                throw error
            }
            return connections
        }
        let client = RedisClient(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger,
                                 connections: connections, backoff: backoff)
        for (index, connection) in connections.enumerated() { client.watch(connection, slot: index) }
        return client
    }

    /// One connection, retried with backoff until `deadline`; authentication failures are not retried.
    static func connectWithRetry(configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup,
                                 deadline: ContinuousClock.Instant, backoff: RedisBackoff,
                                 logger: Logger) async throws -> RedisConnection {
        var attempt = 0
        while true {
            do {
                return try await RedisConnection.connect(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
            } catch let error as RedisError where error.code == .connectionFailed {
                let delay = backoff.delay(forAttempt: attempt)
                attempt += 1
                guard ContinuousClock.now + delay < deadline else {
                    throw RedisError(code: .connectionFailed,
                                     message: "Redis at \(configuration.host):\(configuration.port) unreachable after \(attempt) attempts: \(error.message)")
                }
                logger.debug("redis connect failed; retrying", metadata: ["redis.attempt": "\(attempt)", "redis.error": "\(error.message)"])
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Sends the batch on the next connection that is up; see ``RedisCommandSender/execute(_:)``.
    /// - Throws: ``RedisError/Code/notConnected`` at once when every connection is down.
    public func execute(_ commands: [RedisCommand]) async throws -> [RESPValue] {
        guard let connection = nextConnection() else {
            throw RedisError(code: .notConnected,
                             message: "no connection to Redis at \(configuration.host):\(configuration.port) is up; reconnecting")
        }
        return try await connection.execute(commands)
    }

    /// How many pooled connections are up right now.
    public var connectedCount: Int {
        slots.withLock { slots in slots.count { $0.connection?.isActive == true } }
    }

    /// Closes every connection (after the replies due on them) and stops reconnecting.
    public func close() async {
        let actions = slots.withLock { slots in slots.indices.map { slots[$0].shutdown() } }
        for action in actions {
            if case .close(let connection) = action { await connection.close() }
        }
    }

    private func nextConnection() -> RedisConnection? {
        let start = nextSlot.wrappingAdd(1, ordering: .relaxed).oldValue
        return slots.withLock { slots in
            for offset in 0..<connectionCount {
                let index = ((start &+ offset) % connectionCount + connectionCount) % connectionCount
                if let connection = slots[index].connection, connection.isActive { return connection }
            }
            return nil
        }
    }

    private func watch(_ connection: RedisConnection, slot: Int) {
        connection.closeFuture.whenComplete { _ in
            let action = self.slots.withLock { $0[slot].connectionClosed(connection) }
            if case .connect = action {
                self.logger.info("redis connection lost; reconnecting", metadata: ["redis.slot": "\(slot)"])
            }
            self.perform(action, slot: slot)
        }
    }

    private func perform(_ action: RedisConnectionSlot<RedisConnection>.Action, slot: Int) {
        switch action {
        case .none:
            break
        case .connect:
            Task {
                let next: RedisConnectionSlot<RedisConnection>.Action
                do {
                    let connection = try await RedisConnection.connect(configuration: configuration,
                                                                       eventLoopGroup: eventLoopGroup, logger: logger)
                    next = slots.withLock { $0[slot].connectSucceeded(connection) }
                    if case .none = next {
                        logger.info("redis connection re-established", metadata: ["redis.slot": "\(slot)"])
                        watch(connection, slot: slot)
                    }
                } catch {
                    next = slots.withLock { $0[slot].connectFailed() }
                }
                perform(next, slot: slot)
            }
        case .scheduleReconnect(let delay):
            Task {
                try? await Task.sleep(for: delay)
                perform(slots.withLock { $0[slot].reconnectTimerFired() }, slot: slot)
            }
        case .close(let connection):
            Task { await connection.close() }
        }
    }
}
