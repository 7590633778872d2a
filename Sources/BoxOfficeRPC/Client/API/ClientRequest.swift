/// A request with exactly one message.
public struct ClientRequest<Message: Sendable>: Sendable {
    /// Request metadata (sent as HTTP/2 headers).
    public var metadata: Metadata
    /// The request message.
    public var message: Message

    /// Creates a request.
    public init(message: Message, metadata: Metadata = [:]) {
        self.message = message
        self.metadata = metadata
    }
}

/// A request whose messages are produced by a closure while the call runs.
public struct StreamingClientRequest<Message: Sendable>: Sendable {
    /// Request metadata (sent as HTTP/2 headers).
    public var metadata: Metadata
    /// Writes the request messages; the request is half-closed when it returns. Throwing
    /// cancels the call and the error is rethrown to the caller.
    public var producer: @Sendable (RPCWriter<Message>) async throws -> Void

    /// Creates a streaming request.
    public init(metadata: Metadata = [:], producer: @escaping @Sendable (RPCWriter<Message>) async throws -> Void) {
        self.metadata = metadata
        self.producer = producer
    }
}

/// Writes request messages of a streaming call.
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
