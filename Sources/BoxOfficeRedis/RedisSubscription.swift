public import NIOCore
public import NIOPosix
public import Logging

/// Pub/sub on a connection of its own: subscribe to channels or patterns and read ``messages``.
///
/// Delivery is at most once, as in Redis: messages published while the connection is down are
/// lost, and the stream finishes when the connection closes (open a new subscription to resume).
/// When the consumer falls behind by more than `bufferLimit` messages, the oldest are dropped.
public final class RedisSubscription: Sendable {
    /// Every message for the channels and patterns subscribed to, in arrival order.
    public let messages: AsyncStream<RedisPubSubMessage>
    private let connection: RedisConnection

    private init(messages: AsyncStream<RedisPubSubMessage>, connection: RedisConnection) {
        self.messages = messages
        self.connection = connection
    }

    /// Opens a dedicated connection and subscribes to `channels` and `patterns`.
    /// - Throws: ``RedisError`` as ``RedisConnection/connect(configuration:eventLoopGroup:logger:)`` does.
    public static func open(
        configuration: RedisConfiguration,
        channels: [String] = [],
        patterns: [String] = [],
        bufferLimit: Int = 10_000,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "boxoffice.redis")
    ) async throws -> RedisSubscription {
        let (messages, continuation) = AsyncStream.makeStream(of: RedisPubSubMessage.self,
                                                              bufferingPolicy: .bufferingNewest(bufferLimit))
        let connection = try await RedisConnection.connect(configuration: configuration, eventLoopGroup: eventLoopGroup,
                                                           logger: logger, pushMessages: continuation)
        let subscription = RedisSubscription(messages: messages, connection: connection)
        do {
            try await subscription.subscribe(to: channels)
            try await subscription.subscribe(toPatterns: patterns)
        } catch {
            await subscription.close()
            throw error
        }
        return subscription
    }

    /// `SUBSCRIBE` to more channels; returns once the server confirmed every one.
    public func subscribe(to channels: [String]) async throws {
        try await confirm(channels.map { RedisCommand("SUBSCRIBE", $0) }, kind: "subscribe")
    }

    /// `PSUBSCRIBE` to glob-style patterns; returns once the server confirmed every one.
    public func subscribe(toPatterns patterns: [String]) async throws {
        try await confirm(patterns.map { RedisCommand("PSUBSCRIBE", $0) }, kind: "psubscribe")
    }

    /// `UNSUBSCRIBE` from channels; returns once the server confirmed every one.
    public func unsubscribe(from channels: [String]) async throws {
        try await confirm(channels.map { RedisCommand("UNSUBSCRIBE", $0) }, kind: "unsubscribe")
    }

    /// Closes the connection; ``messages`` finishes.
    public func close() async {
        await connection.closeImmediately()
    }

    /// Each (un)subscribe command is answered by one `[kind, name, count]` array.
    private func confirm(_ commands: [RedisCommand], kind: String) async throws {
        guard !commands.isEmpty else { return }
        for reply in try await connection.execute(commands) {
            let confirmation = try reply.throwingServerError()
            guard confirmation.array?.first?.string == kind else {
                throw RedisError(code: .protocolViolation, message: "unexpected reply to \(kind): \(confirmation)")
            }
        }
    }
}
