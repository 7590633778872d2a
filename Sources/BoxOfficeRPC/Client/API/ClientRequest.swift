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
