/// The client side of one gRPC stream: turns HTTP/2 events into response parts and one end.
///
/// A value type with no I/O. Each input returns an ``Action`` telling the owner what to deliver
/// and whether to reset the stream. After ``Action/finish(deliver:end:resetStream:)`` every
/// further input returns ``Action/none``, so duplicate or late events are harmless. A call that
/// ends OK always delivers `.metadata` first (empty for an OK Trailers-Only response).
///
/// Flow control: the owner gives the server stream-level window back only as the caller reads
/// messages. After every input it asks ``takeWindowCredit()`` how many bytes to return (see
/// ``ResponseWindowLedger``); once the call has ended there is never any (no more DATA can
/// arrive on the stream, and the session returns connection-level credit on receipt).
struct ClientStreamStateMachine: Sendable {
    enum Action: Sendable, Hashable {
        case none
        case deliver([ClientResponsePart])
        /// Deliver `deliver`, then end the call with `end`; send RST_STREAM(`resetStream`) if set.
        case finish(deliver: [ClientResponsePart], end: ClientResponseEnd, resetStream: UInt32?)
    }

    private enum State: Sendable {
        case awaitingHead
        case streaming(GRPCMessageDeframer)
        case finished
    }

    private var state: State = .awaitingHead
    private var requestEnded = false
    private let maxMessageSize: Int
    /// Stream-level flow-control credit of the response bytes.
    private(set) var window = ResponseWindowLedger()

    init(maxMessageSize: Int = 4 * 1024 * 1024) {
        self.maxMessageSize = maxMessageSize
    }

    /// Whether the call has ended.
    var isFinished: Bool {
        if case .finished = state { true } else { false }
    }

    /// The request's END_STREAM was queued: a response ending now needs no reset.
    mutating func requestEnded(_: Void = ()) {
        requestEnded = true
    }

    mutating func receivedHeaders(_ fields: [HTTP2HeaderField], endStream: Bool) -> Action {
        switch state {
        case .awaitingHead:
            return receivedHead(fields, endStream: endStream)
        case .streaming(let deframer):
            guard endStream else {
                return fail(.internal, "headers received in the middle of the response", reset: HTTP2ErrorCode.protocolError.rawValue)
            }
            if deframer.hasPartialMessage {
                return fail(.internal, "response ended inside a message", reset: nil)
            }
            return finish(trailerFields: fields, reset: nil)
        case .finished:
            return .none
        }
    }

    mutating func receivedData(_ bytes: [UInt8], endStream: Bool) -> Action {
        switch state {
        case .awaitingHead:
            return fail(.internal, "response data before headers", reset: HTTP2ErrorCode.protocolError.rawValue)
        case .streaming(var deframer):
            state = .finished  // avoid a copy of the deframer's buffer while mutating it
            deframer.append(bytes)
            var parts: [ClientResponsePart] = []
            var completedWireBytes = 0
            do {
                while let message = try deframer.next() {
                    completedWireBytes += message.count + GRPCMessageFramer.prefixLength
                    parts.append(.message(message))
                }
            } catch {
                return .finish(deliver: parts, end: ClientResponseEnd(status: error.status, trailers: [:]),
                               resetStream: HTTP2ErrorCode.cancel.rawValue)
            }
            window.received(bytes.count, completingMessagesOf: completedWireBytes)
            if endStream {
                return .finish(deliver: parts, end: ClientResponseEnd(
                    status: Status(code: .internal, message: "response ended without trailers"), trailers: [:]),
                    resetStream: nil)
            }
            state = .streaming(deframer)
            return parts.isEmpty ? .none : .deliver(parts)
        case .finished:
            return .none
        }
    }

    /// The caller has read response messages of `wireBytes` (payloads plus their 5-byte
    /// prefixes); their window can go back to the server (ask ``takeWindowCredit()``).
    mutating func messagesRead(wireBytes: Int) {
        window.read(wireBytes: wireBytes)
    }

    /// Stream-level window to give back to the server now, counted as given; 0 once the call
    /// has ended.
    mutating func takeWindowCredit() -> Int {
        guard case .streaming = state else { return 0 }
        return window.takeCredit()
    }

    /// The stream closed; `errorCode` is the RST_STREAM code, or NO_ERROR for a normal close.
    mutating func streamClosed(errorCode: UInt32) -> Action {
        let neverProcessed: Bool
        switch state {
        case .finished: return .none
        case .awaitingHead: neverProcessed = errorCode == HTTP2ErrorCode.refusedStream.rawValue
        case .streaming: neverProcessed = false
        }
        let code: RPCError.Code = switch errorCode {
        case HTTP2ErrorCode.refusedStream.rawValue: .unavailable
        case HTTP2ErrorCode.cancel.rawValue: .cancelled
        case HTTP2ErrorCode.enhanceYourCalm.rawValue: .resourceExhausted
        default: .internal
        }
        let message = errorCode == HTTP2ErrorCode.noError.rawValue
            ? "stream closed before the response ended"
            : "stream reset by the server (HTTP/2 error code \(errorCode))"
        state = .finished
        return .finish(deliver: [], end: ClientResponseEnd(status: Status(code: code, message: message), trailers: [:],
                                                           neverProcessed: neverProcessed),
                       resetStream: nil)
    }

    /// The call's deadline passed.
    mutating func deadlineExpired() -> Action {
        fail(.deadlineExceeded, "deadline exceeded", reset: HTTP2ErrorCode.cancel.rawValue)
    }

    /// The caller cancelled the call.
    mutating func cancelled() -> Action {
        fail(.cancelled, "the call was cancelled", reset: HTTP2ErrorCode.cancel.rawValue)
    }

    /// The connection went away under the stream.
    mutating func connectionLost(_ message: String) -> Action {
        fail(.unavailable, message, reset: nil)
    }

    // MARK: -

    private mutating func receivedHead(_ fields: [HTTP2HeaderField], endStream: Bool) -> Action {
        let httpStatus = fields.first { $0.name == ":status" }.flatMap { Int($0.value) }
        guard let httpStatus else {
            return fail(.internal, "response without :status", reset: endStream ? nil : HTTP2ErrorCode.protocolError.rawValue)
        }
        if (100..<200).contains(httpStatus) { return .none }
        let reset = endStream ? nil : HTTP2ErrorCode.cancel.rawValue
        guard httpStatus == 200 else {
            if let status = Self.status(in: fields) {
                return finish(status: status, fields: fields, reset: reset)
            }
            return fail(Self.code(forHTTPStatus: httpStatus), "HTTP status \(httpStatus)", reset: reset)
        }
        let contentType = fields.first { $0.name == "content-type" }?.value
        guard let contentType, GRPCContentType.isGRPC(contentType) else {
            return fail(.unknown, "response content-type is not gRPC: \(contentType ?? "none")", reset: reset)
        }
        if endStream {
            // Trailers-Only. One that ends OK (e.g. a server stream with no messages) is still a
            // response: empty initial metadata, no messages, then the trailers' status and metadata.
            let action = finish(trailerFields: fields, reset: nil)
            if case .finish(let parts, let end, let resetStream) = action, end.status.code == .ok {
                return .finish(deliver: [.metadata([:])] + parts, end: end, resetStream: resetStream)
            }
            return action
        }
        let metadata: Metadata
        do {
            metadata = try Metadata(headerFields: fields.lazy.map { (name: $0.name, value: $0.value) })
        } catch {
            return fail(error.code, error.message, reset: HTTP2ErrorCode.cancel.rawValue)
        }
        state = .streaming(GRPCMessageDeframer(maxMessageSize: maxMessageSize))
        return .deliver([.metadata(metadata)])
    }

    private mutating func finish(trailerFields fields: [HTTP2HeaderField], reset: UInt32?) -> Action {
        let status = Self.status(in: fields) ?? Status(code: .unknown, message: "response ended without grpc-status")
        return finish(status: status, fields: fields, reset: reset)
    }

    private mutating func finish(status: Status, fields: [HTTP2HeaderField], reset: UInt32?) -> Action {
        let trailers = (try? Metadata(headerFields: fields.lazy.map { (name: $0.name, value: $0.value) })) ?? [:]
        state = .finished
        // The server finished before we half-closed: tell it we are done sending too.
        let reset = reset ?? (requestEnded ? nil : HTTP2ErrorCode.noError.rawValue)
        return .finish(deliver: [], end: ClientResponseEnd(status: status, trailers: trailers), resetStream: reset)
    }

    private mutating func fail(_ code: RPCError.Code, _ message: String, reset: UInt32?) -> Action {
        if case .finished = state { return .none }
        state = .finished
        return .finish(deliver: [], end: ClientResponseEnd(status: Status(code: code, message: message), trailers: [:]),
                       resetStream: reset)
    }

    private static func status(in fields: [HTTP2HeaderField]) -> Status? {
        Status(statusHeader: fields.first { $0.name == "grpc-status" }?.value,
               messageHeader: fields.first { $0.name == "grpc-message" }?.value)
    }

    /// grpc/doc/http-grpc-status-mapping.md.
    static func code(forHTTPStatus status: Int) -> RPCError.Code {
        switch status {
        case 400: .internal
        case 401: .unauthenticated
        case 403: .permissionDenied
        case 404: .unimplemented
        case 429, 502, 503, 504: .unavailable
        default: .unknown
        }
    }
}
