import Synchronization

/// The response of a call that returns one message.
public struct ClientResponse<Message: Sendable>: Sendable {
    /// Response headers as metadata.
    public var metadata: Metadata
    /// The response message.
    public var message: Message
    /// Metadata from the trailers.
    public var trailingMetadata: Metadata

    /// Creates a response.
    public init(message: Message, metadata: Metadata = [:], trailingMetadata: Metadata = [:]) {
        self.message = message
        self.metadata = metadata
        self.trailingMetadata = trailingMetadata
    }
}

/// The response of a call that returns a stream of messages, read inside the call's closure.
public struct StreamingClientResponse<Message: Sendable>: Sendable {
    /// One piece of the response body.
    public enum BodyPart: Sendable {
        /// A response message.
        case message(Message)
        /// The trailers' metadata of a call that ended OK; always the last part.
        case trailingMetadata(Metadata)
    }

    /// Response headers as metadata.
    public let metadata: Metadata
    /// The messages then the trailing metadata; iteration throws the call's ``RPCError`` when it
    /// ends with a status other than OK.
    public let bodyParts: BodyParts

    /// The response messages; iteration throws the call's ``RPCError`` on a non-OK status.
    public var messages: AsyncCompactMapSequence<BodyParts, Message> {
        bodyParts.compactMap { part in
            if case .message(let message) = part { return message }
            return nil
        }
    }

    /// The body parts as an asynchronous sequence (single pass).
    public struct BodyParts: AsyncSequence, Sendable {
        public typealias Element = BodyPart
        let parts: AsyncThrowingStream<ClientResponsePart, any Error>
        let deserialize: @Sendable ([UInt8]) throws -> Message
        let observedEnd: ResponseEndObserver
        let readReporter: ResponseReadReporter

        /// Iterates the body parts; throws the call's ``RPCError`` on a non-OK end.
        ///
        /// Each message taken is reported read, which lets the server send more: a caller that
        /// stops iterating holds the server back (HTTP/2 flow control).
        public struct AsyncIterator: AsyncIteratorProtocol {
            var base: AsyncThrowingStream<ClientResponsePart, any Error>.AsyncIterator
            let deserialize: @Sendable ([UInt8]) throws -> Message
            let observedEnd: ResponseEndObserver
            let readReporter: ResponseReadReporter
            var ended = false
            /// Wire bytes of messages taken and not yet reported read.
            var unreported = 0

            public mutating func next() async throws -> BodyPart? {
                if ended { return nil }
                while true {
                    let next: ClientResponsePart?
                    do {
                        next = try await base.next(isolation: #isolation)
                    } catch {
                        // The call's status: the stream is over on the connection too.
                        ended = true
                        observedEnd.record()
                        throw error
                    }
                    guard let part = next else { break }
                    switch part {
                    case .metadata: continue
                    case .message(let bytes):
                        readReporter.messageRead(payloadBytes: bytes.count, unreported: &unreported)
                        return .message(try deserialize(bytes))
                    case .trailers(let trailers):
                        ended = true
                        observedEnd.record()
                        return .trailingMetadata(trailers)
                    }
                }
                // The stream stops without an end only when the reading task was cancelled.
                ended = true
                throw RPCError(code: .cancelled, message: "the call was cancelled")
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: parts.makeAsyncIterator(), deserialize: deserialize, observedEnd: observedEnd,
                          readReporter: readReporter)
        }
    }
}

/// Whether a response was read to its end (trailers or status), so the call needs no cancel.
final class ResponseEndObserver: Sendable {
    private let ended = Atomic(false)

    func record() { ended.store(true, ordering: .relaxed) }

    var hasEnded: Bool { ended.load(ordering: .relaxed) }
}
