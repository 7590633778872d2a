public import NIOCore
public import NIOPosix
public import Logging

/// One TCP connection to a Redis server, with many commands in flight (pipelining).
///
/// SwiftNIO owns the socket. Commands from any task are queued on the channel's event loop,
/// written together once per loop tick, and answered strictly in order. Safe to share between
/// tasks. The connection does not reconnect: when it breaks, every queued command fails with
/// ``RedisError/Code/connectionClosed`` and so does every later one; ``RedisClient`` replaces
/// broken connections.
public final class RedisConnection: RedisCommandSender, Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<RedisChannelHandler>
    private let logger: Logger

    private init(channel: any Channel, handler: NIOLoopBound<RedisChannelHandler>, logger: Logger) {
        self.channel = channel
        self.handler = handler
        self.logger = logger
    }

    /// Connects, then sends `AUTH` and `SELECT` when the configuration asks for them.
    ///
    /// Makes one attempt; see ``RedisClient`` for retries with backoff.
    /// - Throws: ``RedisError`` with ``RedisError/Code/connectionFailed`` when the server cannot be
    ///   reached, ``RedisError/Code/authenticationFailed`` when AUTH is refused.
    public static func connect(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "boxoffice.redis")
    ) async throws -> RedisConnection {
        try await connect(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger, pushMessages: nil)
    }

    static func connect(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger,
        pushMessages: AsyncStream<RedisPubSubMessage>.Continuation?
    ) async throws -> RedisConnection {
        let timeout = configuration.connectTimeout.components
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(pushMessages: pushMessages))
                }
            }
        let channel: any Channel
        let handler: NIOLoopBound<RedisChannelHandler>
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
            handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: RedisChannelHandler.self),
                             eventLoop: channel.eventLoop)
            }.get()
        } catch {
            throw RedisError(code: .connectionFailed,
                             message: "could not connect to Redis at \(configuration.host):\(configuration.port): \(error)")
        }
        var connectionLogger = logger
        connectionLogger[metadataKey: "redis.address"] = "\(configuration.host):\(configuration.port)"
        let connection = RedisConnection(channel: channel, handler: handler, logger: connectionLogger)
        do {
            try await connection.handshake(configuration)
        } catch {
            await connection.close()
            throw error
        }
        connectionLogger.debug("redis connection ready")
        return connection
    }

    private func handshake(_ configuration: RedisConfiguration) async throws {
        if let password = configuration.password {
            let command = if let user = configuration.username {
                RedisCommand("AUTH", user, password)
            } else {
                RedisCommand("AUTH", password)
            }
            if case .error(let refusal) = try await execute([command])[0] {
                throw RedisError(code: .authenticationFailed, message: "Redis refused AUTH: \(refusal)", serverError: refusal)
            }
        }
        if configuration.database != 0 {
            _ = try await send(RedisCommand("SELECT", configuration.database))
        }
    }

    /// Sends `commands` in one write and returns their replies in order.
    ///
    /// Server error replies come back as ``RESPValue/error(_:)`` in their slot; a broken
    /// connection throws ``RedisError`` and fails the whole batch.
    public func execute(_ commands: [RedisCommand]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        let handler = self.handler
        let eventLoop = channel.eventLoop
        return try await withCheckedThrowingContinuation { continuation in
            if eventLoop.inEventLoop {
                handler.value.send(commands, waiter: continuation)
            } else {
                eventLoop.execute { handler.value.send(commands, waiter: continuation) }
            }
        }
    }

    /// Whether the socket is still open.
    public var isActive: Bool { channel.isActive }

    /// Completes when the connection has closed, for whatever reason.
    public var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    /// Closes after the replies still due have arrived; new commands fail at once.
    public func close() async {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.close() }
        try? await channel.closeFuture.get()
    }

    /// Closes the socket at once; commands in flight fail with ``RedisError/Code/connectionClosed``.
    public func closeImmediately() async {
        try? await channel.close()
    }
}
