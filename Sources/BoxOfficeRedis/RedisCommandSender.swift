/// Anything that sends Redis commands: a ``RedisConnection`` or a ``RedisClient``.
///
/// The one requirement is the batch; single commands and the typed helpers are built on it.
public protocol RedisCommandSender: Sendable {
    /// Sends `commands` together (one write) and returns one reply per command, in order.
    ///
    /// Server error replies are returned as ``RESPValue/error(_:)`` in their slot, so a batch can
    /// mix successes and errors; connection problems throw ``RedisError``.
    func execute(_ commands: [RedisCommand]) async throws -> [RESPValue]
}

extension RedisCommandSender {
    /// Sends one command and returns its reply.
    /// - Throws: ``RedisError``; a server error reply is thrown with ``RedisError/Code/serverError``.
    @discardableResult
    public func send(_ command: RedisCommand) async throws -> RESPValue {
        try await execute([command])[0].throwingServerError()
    }

    /// Sends one command, e.g. `try await redis.send("SET", key, value)`.
    @discardableResult
    public func send(_ name: String, _ arguments: any RedisArgument...) async throws -> RESPValue {
        try await send(RedisCommand(name, arguments: arguments))
    }
}
