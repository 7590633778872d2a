/// Writes the messages of a stream: a client's streaming request, or a server's streaming
/// response.
public struct RPCWriter<Message: Sendable>: Sendable {
    private let writeBytes: @Sendable ([UInt8]) async throws -> Void
    private let serialize: @Sendable (Message) throws -> [UInt8]

    init(serialize: @escaping @Sendable (Message) throws -> [UInt8],
         writeBytes: @escaping @Sendable ([UInt8]) async throws -> Void) {
        self.serialize = serialize
        self.writeBytes = writeBytes
    }

    /// Sends one message. Returns once the connection has taken it.
    public func write(_ message: Message) async throws {
        try await writeBytes(serialize(message))
    }

    /// Sends several messages in order.
    public func write(contentsOf messages: some Sequence<Message>) async throws {
        for message in messages { try await write(message) }
    }
}
