package import BoxOfficeProto
import NIOCore

/// The gRPC logic of one server connection, as a value: HTTP/2 events and handler outputs in,
/// actions out. It performs no I/O; ``ServerConnectionHandler`` executes the actions.
///
/// Per stream it validates the request head, deframes request messages, decides when a handler
/// starts (unary and server-streaming: once the single request message is complete; client- and
/// bidi-streaming: at the request head), turns handler output into HEADERS / DATA / trailers,
/// enforces the deadline, and returns request bytes to flow control only as the handler
/// consumes them.
package struct ServerConnectionStateMachine {
    private enum RequestPhase {
        /// Unary / server-streaming: collecting the single request message.
        case collecting(GRPCMessageDeframer, message: [UInt8]?)
        /// Client / bidi-streaming: messages forwarded as they complete.
        case streaming(GRPCMessageDeframer)
        /// The client half-closed, or the request no longer matters.
        case closed
    }

    private enum ResponsePhase: Equatable {
        case notStarted
        case headersSent
        case ended
    }

    private struct StreamState {
        var head: RequestHead?
        var request: RequestPhase
        var response: ResponsePhase = .notStarted
        var handlerRunning = false
        var clientHalfClosed = false
        /// Request bytes received and not yet returned to flow control.
        var owedCredit = 0
    }

    private enum ConnectionPhase: Equatable {
        case active
        case draining
        case closed
    }

    private let methods: [String: RPCKind]
    private let maxReceiveMessageSize: Int
    private var streams: [Int32: StreamState] = [:]
    private var phase = ConnectionPhase.active

    /// Creates the state machine for one connection.
    ///
    /// - Parameters:
    ///   - methods: the routable `:path`s and their call kinds.
    ///   - maxReceiveMessageSize: larger request messages end the RPC with RESOURCE_EXHAUSTED.
    package init(methods: [String: RPCKind], maxReceiveMessageSize: Int) {
        self.methods = methods
        self.maxReceiveMessageSize = maxReceiveMessageSize
    }

    /// The number of streams with state (for idle detection and tests).
    package var activeStreamCount: Int { streams.count }

    /// Whether a graceful shutdown has begun.
    package var isDraining: Bool { phase != .active }

    // MARK: HTTP/2 events

    /// Processes one event reported by the nghttp2 session.
    package mutating func receive(_ event: HTTP2ServerEvent) -> [Action] {
        switch event {
        case .requestHeaders(let streamID, let fields, let endStream):
            return receiveHeaders(streamID: streamID, fields: fields, endStream: endStream)
        case .data(let streamID, let bytes):
            return receiveData(streamID: streamID, bytes: bytes)
        case .endStream(let streamID), .requestTrailers(let streamID):
            return receiveEndStream(streamID: streamID)
        case .headerLimitExceeded(let streamID):
            return [.resetStream(streamID: streamID, code: .enhanceYourCalm)]
        case .streamClosed(let streamID, _):
            return streamClosed(streamID: streamID)
        case .responseEndSent(let streamID):
            guard var stream = streams[streamID] else { return [] }
            stream.response = .ended
            streams[streamID] = stream
            // The response is complete but the client is still sending: tell it to stop.
            return stream.clientHalfClosed ? [] : [.resetStream(streamID: streamID, code: .noError)]
        case .outboundDrained(let streamID):
            return [.resumeWriters(streamID: streamID)]
        case .goawayReceived:
            return []
        }
    }

    private mutating func receiveHeaders(streamID: Int32, fields: [HTTP2HeaderField], endStream: Bool) -> [Action] {
        var stream = StreamState(request: .closed)
        stream.clientHalfClosed = endStream
        var method = ""
        var path = ""
        var contentType: String?
        var timeoutValue: String?
        var encoding: String?
        for field in fields {
            switch field.name {
            case ":method": method = field.value
            case ":path": path = field.value
            case "content-type": contentType = field.value
            case "grpc-timeout": timeoutValue = field.value
            case "grpc-encoding": encoding = field.value
            default: break
            }
        }
        if method != "POST" {
            streams[streamID] = stream
            return [.submitHeadersOnlyResponse(streamID: streamID, headers: [HTTP2HeaderField(name: ":status", value: "405")])]
        }
        guard let contentType, GRPCContentType.isGRPC(contentType) else {
            streams[streamID] = stream
            return [.submitHeadersOnlyResponse(streamID: streamID, headers: [
                HTTP2HeaderField(name: ":status", value: "415"),
                HTTP2HeaderField(name: "grpc-status", value: RPCError.Code.internal.headerValue),
                HTTP2HeaderField(name: "grpc-message", value: GRPCStatusMessage.encode(
                    "invalid content-type '\(contentType ?? "")'")),
            ])]
        }
        streams[streamID] = stream
        if phase != .active {
            return respondWithError(streamID: streamID, RPCError(code: .unavailable, message: "server is shutting down"))
        }
        guard let kind = methods[path] else {
            return respondWithError(streamID: streamID, RPCError(code: .unimplemented, message: "unknown method \(path)"))
        }
        if let encoding, encoding != "identity" {
            var error = RPCError(code: .unimplemented, message: "compression '\(encoding)' is not supported")
            error.metadata.addString("identity", forKey: "grpc-accept-encoding")
            return respondWithError(streamID: streamID, error)
        }
        var timeout: Duration?
        if let timeoutValue {
            guard let parsed = GRPCTimeout(headerValue: timeoutValue) else {
                return respondWithError(streamID: streamID, RPCError(code: .internal, message: "malformed grpc-timeout '\(timeoutValue)'"))
            }
            timeout = parsed.duration
        }
        let metadata: Metadata
        do {
            metadata = try Metadata(headerFields: fields.lazy.map { (name: $0.name, value: $0.value) })
        } catch {
            return respondWithError(streamID: streamID, error)
        }
        let head = RequestHead(path: path, kind: kind, metadata: metadata, timeout: timeout)
        stream.head = head
        var actions: [Action] = []
        if let timeout { actions.append(.scheduleDeadline(streamID: streamID, after: timeout)) }
        switch kind {
        case .unary, .serverStreaming:
            stream.request = .collecting(GRPCMessageDeframer(maxMessageSize: maxReceiveMessageSize), message: nil)
            streams[streamID] = stream
            if endStream {
                return actions + receiveEndStream(streamID: streamID)
            }
        case .clientStreaming, .bidirectionalStreaming:
            stream.request = endStream ? .closed : .streaming(GRPCMessageDeframer(maxMessageSize: maxReceiveMessageSize))
            stream.handlerRunning = true
            streams[streamID] = stream
            actions.append(.startRPC(streamID: streamID, head: head, delivery: .streamed))
            if endStream { actions.append(.finishRequestMessages(streamID: streamID)) }
        }
        return actions
    }

    private mutating func receiveData(streamID: Int32, bytes: ByteBuffer) -> [Action] {
        let count = bytes.readableBytes
        guard var stream = streams[streamID] else {
            // A stream we already forgot: its bytes only count against the connection window.
            return [.consume(streamID: streamID, count: count)]
        }
        switch stream.request {
        case .closed:
            streams[streamID] = stream
            return [.consume(streamID: streamID, count: count)]
        case .collecting(var deframer, var message):
            deframer.append(bytes)
            do throws(RPCError) {
                while let next = try deframer.next() {
                    guard message == nil else {
                        throw RPCError(code: .internal, message: "more than one request message for a \(stream.head!.kind) method")
                    }
                    message = next
                }
            } catch {
                stream.request = .closed
                streams[streamID] = stream
                return [.consume(streamID: streamID, count: count)] + respondWithError(streamID: streamID, error)
            }
            stream.request = .collecting(deframer, message: message)
            streams[streamID] = stream
            return [.consume(streamID: streamID, count: count)]
        case .streaming(var deframer):
            deframer.append(bytes)
            var messages: [[UInt8]] = []
            do {
                while let next = try deframer.next() { messages.append(next) }
            } catch {
                stream.request = .closed
                streams[streamID] = stream
                return [.consume(streamID: streamID, count: count), .cancelHandler(streamID: streamID)]
                    + respondWithError(streamID: streamID, error)
            }
            stream.request = .streaming(deframer)
            // Bytes that completed messages are returned when the handler takes the last of
            // them; bytes of a partial message are returned now so that a message larger than
            // the window can still arrive.
            let wireBytes = messages.reduce(0) { $0 + $1.count + GRPCMessageFramer.prefixLength }
            let credit = min(count, wireBytes)
            stream.owedCredit += credit
            streams[streamID] = stream
            var actions: [Action] = []
            if count > credit { actions.append(.consume(streamID: streamID, count: count - credit)) }
            for (index, message) in messages.enumerated() {
                actions.append(.deliverRequestMessage(streamID: streamID, message: message,
                                                      credit: index == messages.count - 1 ? credit : 0))
            }
            return actions
        }
    }

    private mutating func receiveEndStream(streamID: Int32) -> [Action] {
        guard var stream = streams[streamID] else { return [] }
        stream.clientHalfClosed = true
        switch stream.request {
        case .closed:
            streams[streamID] = stream
            return []
        case .collecting(let deframer, let message):
            stream.request = .closed
            streams[streamID] = stream
            guard !deframer.hasPartialMessage else {
                return respondWithError(streamID: streamID, RPCError(code: .internal, message: "request ended inside a message"))
            }
            guard let message, let head = stream.head else {
                return respondWithError(streamID: streamID, RPCError(code: .internal, message: "request has no message"))
            }
            stream.handlerRunning = true
            streams[streamID] = stream
            return [.startRPC(streamID: streamID, head: head, delivery: .single(message))]
        case .streaming(let deframer):
            stream.request = .closed
            streams[streamID] = stream
            guard !deframer.hasPartialMessage else {
                return [.cancelHandler(streamID: streamID)]
                    + respondWithError(streamID: streamID, RPCError(code: .internal, message: "request ended inside a message"))
            }
            return [.finishRequestMessages(streamID: streamID)]
        }
    }

    private mutating func streamClosed(streamID: Int32) -> [Action] {
        guard let stream = streams.removeValue(forKey: streamID) else { return [] }
        var actions: [Action] = []
        if stream.handlerRunning && stream.response != .ended { actions.append(.cancelHandler(streamID: streamID)) }
        if stream.owedCredit > 0 { actions.append(.consume(streamID: streamID, count: stream.owedCredit)) }
        actions.append(.forgetStream(streamID: streamID))
        if phase == .draining && streams.isEmpty {
            phase = .closed
            actions.append(.closeConnection)
        }
        return actions
    }

    // MARK: Handler outputs

    /// The handler took a request message carrying `credit` bytes of flow-control window.
    package mutating func requestMessageConsumed(streamID: Int32, credit: Int) -> [Action] {
        guard credit > 0, var stream = streams[streamID] else { return [] }
        let returned = min(credit, stream.owedCredit)
        stream.owedCredit -= returned
        streams[streamID] = stream
        return returned > 0 ? [.consume(streamID: streamID, count: returned)] : []
    }

    /// The handler sends its initial metadata (response HEADERS).
    package mutating func sendResponseHeaders(streamID: Int32, metadata: Metadata) -> [Action] {
        guard var stream = streams[streamID], stream.response == .notStarted else { return [] }
        stream.response = .headersSent
        streams[streamID] = stream
        var headers = [HTTP2HeaderField(name: ":status", value: "200"),
                       HTTP2HeaderField(name: "content-type", value: GRPCContentType.grpcProto)]
        for (name, value) in metadata.headerFields() { headers.append(HTTP2HeaderField(name: name, value: value)) }
        return [.submitResponseHeaders(streamID: streamID, headers: headers)]
    }

    /// The handler sends one response message (already serialized).
    package mutating func sendResponseMessage(streamID: Int32, message: [UInt8]) -> [Action] {
        guard let stream = streams[streamID], stream.response != .ended else { return [] }
        var actions = stream.response == .notStarted ? sendResponseHeaders(streamID: streamID, metadata: [:]) : []
        var framed = ByteBuffer()
        framed.reserveCapacity(message.count + GRPCMessageFramer.prefixLength)
        GRPCMessageFramer.frame(message, into: &framed)
        actions.append(.enqueueResponseData(streamID: streamID, bytes: framed))
        return actions
    }

    /// The handler returned (or threw): send the status and trailing metadata.
    package mutating func finishResponse(streamID: Int32, status: Status, trailers: Metadata) -> [Action] {
        guard var stream = streams[streamID] else { return [] }
        stream.handlerRunning = false
        streams[streamID] = stream
        guard stream.response != .ended else { return [] }
        return respondWithStatus(streamID: streamID, status: status, trailers: trailers)
    }

    /// The request's deadline passed.
    package mutating func deadlineExpired(streamID: Int32) -> [Action] {
        guard let stream = streams[streamID], stream.response != .ended else { return [] }
        var actions: [Action] = stream.handlerRunning ? [.cancelHandler(streamID: streamID)] : []
        if var current = streams[streamID] {
            current.request = .closed
            current.handlerRunning = false
            streams[streamID] = current
        }
        actions += respondWithError(streamID: streamID, RPCError(code: .deadlineExceeded, message: "deadline exceeded"))
        return actions
    }

    // MARK: Connection lifecycle

    /// Starts a graceful shutdown: GOAWAY now, in-flight streams continue.
    package mutating func beginGracefulShutdown() -> [Action] {
        guard phase == .active else { return [] }
        phase = .draining
        var actions: [Action] = [.sendShutdownNotice, .sendGoaway(code: .noError)]
        if streams.isEmpty {
            phase = .closed
            actions.append(.closeConnection)
        }
        return actions
    }

    /// The drain deadline passed: cancel what is left and close.
    package mutating func drainDeadlineReached() -> [Action] {
        guard phase != .closed else { return [] }
        if phase == .active { phase = .draining }
        var actions: [Action] = phase == .draining ? [.sendGoaway(code: .noError)] : []
        for (streamID, stream) in streams.sorted(by: { $0.key < $1.key }) {
            if stream.handlerRunning { actions.append(.cancelHandler(streamID: streamID)) }
            actions.append(.resetStream(streamID: streamID, code: .cancel))
        }
        phase = .closed
        actions.append(.closeConnection)
        return actions
    }

    /// The connection has been idle for the idle timeout.
    package mutating func idleTimeoutFired() -> [Action] {
        guard streams.isEmpty, phase == .active else { return [] }
        phase = .closed
        return [.sendGoaway(code: .noError), .closeConnection]
    }

    // MARK: Responses

    private mutating func respondWithError(streamID: Int32, _ error: RPCError) -> [Action] {
        respondWithStatus(streamID: streamID, status: error.status, trailers: error.metadata)
    }

    private mutating func respondWithStatus(streamID: Int32, status: Status, trailers: Metadata) -> [Action] {
        guard var stream = streams[streamID], stream.response != .ended else { return [] }
        var statusFields = [HTTP2HeaderField(name: "grpc-status", value: status.code.headerValue)]
        if !status.message.isEmpty {
            statusFields.append(HTTP2HeaderField(name: "grpc-message", value: GRPCStatusMessage.encode(status.message)))
        }
        for (name, value) in trailers.headerFields() { statusFields.append(HTTP2HeaderField(name: name, value: value)) }
        if status.code == .unimplemented, trailers[stringValues: "grpc-accept-encoding"].isEmpty == false {
            statusFields.append(HTTP2HeaderField(name: "grpc-accept-encoding", value: "identity"))
        }
        let wasStarted = stream.response == .headersSent
        stream.response = .ended
        streams[streamID] = stream
        if wasStarted {
            return [.finishResponse(streamID: streamID, trailers: statusFields)]
        }
        let headers = [HTTP2HeaderField(name: ":status", value: "200"),
                       HTTP2HeaderField(name: "content-type", value: GRPCContentType.grpcProto)] + statusFields
        return [.submitHeadersOnlyResponse(streamID: streamID, headers: headers)]
    }
}
