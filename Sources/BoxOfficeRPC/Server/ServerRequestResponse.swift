/// A single request message with its metadata (unary and server-streaming calls).
public struct ServerRequest<Message: Sendable>: Sendable {
    /// Request metadata.
    public var metadata: Metadata
    /// The request message.
    public var message: Message

    /// Creates a request.
    public init(metadata: Metadata = [:], message: Message) {
        self.metadata = metadata
        self.message = message
    }
}

/// A stream of request messages with its metadata (client- and bidi-streaming calls).
public struct StreamingServerRequest<Message: Sendable>: Sendable {
    /// Request metadata.
    public var metadata: Metadata
    /// The request messages, in order; iterate once.
    public var messages: RPCAsyncSequence<Message>
}

/// A single response message with initial and trailing metadata.
public struct ServerResponse<Message: Sendable>: Sendable {
    /// The response message.
    public var message: Message
    /// Initial metadata, sent in the response HEADERS.
    public var metadata: Metadata
    /// Trailing metadata, sent with the status.
    public var trailingMetadata: Metadata

    /// Creates a response.
    public init(message: Message, metadata: Metadata = [:], trailingMetadata: Metadata = [:]) {
        self.message = message
        self.metadata = metadata
        self.trailingMetadata = trailingMetadata
    }
}

/// The request messages of a streaming call as an `AsyncSequence`.
///
/// Ends normally when the client half-closes; throws ``RPCError`` when the request is malformed
/// or the call is cancelled. Each message taken returns its bytes to the HTTP/2 flow-control
/// window, so a slow handler slows the client down instead of filling memory.
public struct RPCAsyncSequence<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = any Error
    private let queue: RequestMessageQueue
    private let decode: @Sendable ([UInt8]) throws -> Element

    init(queue: RequestMessageQueue, decode: @escaping @Sendable ([UInt8]) throws -> Element) {
        self.queue = queue
        self.decode = decode
    }

    /// Iterates the messages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let queue: RequestMessageQueue
        fileprivate let decode: @Sendable ([UInt8]) throws -> Element

        public mutating func next() async throws -> Element? {
            guard let bytes = try await queue.next() else { return nil }
            return try decode(bytes)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(queue: queue, decode: decode) }
}

/// The response of a server- or bidi-streaming call: initial metadata, then a producer that
/// writes the messages and returns the trailing metadata.
///
/// The metadata is sent before the producer runs. ``RPCWriter/write(_:)`` waits while too many
/// bytes are queued for the client (back-pressure) and throws ``RPCError`` `cancelled` once the
/// call is over.
public struct StreamingServerResponse<Message: Sendable>: Sendable {
    /// Initial metadata, sent in the response HEADERS.
    public var metadata: Metadata
    /// Writes the response messages; returns the trailing metadata.
    public var producer: @Sendable (RPCWriter<Message>) async throws -> Metadata

    /// Creates a streaming response.
    public init(metadata: Metadata = [:], producer: @escaping @Sendable (RPCWriter<Message>) async throws -> Metadata) {
        self.metadata = metadata
        self.producer = producer
    }
}
