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
///
/// Per-stream state lives in one object per stream, owned by this machine alone and mutated in
/// place, so a request's buffers stay uniquely referenced (never copied on write) and a lookup
/// copies nothing. Because of that, a copy of a machine with open streams shares them: start
/// every machine fresh.
package struct ServerConnectionStateMachine {
    private enum RequestPhase {
        /// Unary / server-streaming: collecting the single request message.
        case collecting
        /// Client / bidi-streaming: messages forwarded as they complete.
        case streaming
        /// The client half-closed, or the request no longer matters.
        case closed
    }

    private enum ResponsePhase: Equatable {
        case notStarted
        case headersSent
        case ended
    }

    private final class StreamState {
        var head: RequestHead?
        var request: RequestPhase
        /// Request bytes not yet split into messages (collecting and streaming).
        var deframer: GRPCMessageDeframer
        /// The single request message, once complete (collecting).
        var message: [UInt8]?
        var response: ResponsePhase = .notStarted
        var handlerRunning = false
        var clientHalfClosed: Bool
        /// Request bytes received and not yet returned to flow control.
        var owedCredit = 0

        init(request: RequestPhase, deframer: GRPCMessageDeframer, clientHalfClosed: Bool) {
            self.request = request
            self.deframer = deframer
            self.clientHalfClosed = clientHalfClosed
        }
    }

    private enum ConnectionPhase: Equatable {
        case active
        case draining
        case closed
    }

    private let methods: [String: RPCKind]
    /// The call kind of each route (``HTTP2RequestHeaders/route``): the kinds of `methods` in
    /// ``RPCRouter/routeOrder(_:)``.
    private let routeKinds: [RPCKind]
    private let maxReceiveMessageSize: Int
    private var streams = StreamTable<StreamState>()
    private var phase = ConnectionPhase.active

    private static let okResponseHeaders = [HTTP2HeaderField(name: ":status", value: "200"),
                                            HTTP2HeaderField(name: "content-type", value: GRPCContentType.grpcProto)]
    private static let okStatusFields = [HTTP2HeaderField(name: "grpc-status", value: "0")]

    /// Creates the state machine for one connection.
    ///
    /// - Parameters:
    ///   - methods: the routable `:path`s and their call kinds. A request's route, when its
    ///     header block has one, indexes these paths in ``RPCRouter/routeOrder(_:)``.
    ///   - maxReceiveMessageSize: larger request messages end the RPC with RESOURCE_EXHAUSTED.
    package init(methods: [String: RPCKind], maxReceiveMessageSize: Int) {
        self.methods = methods
        self.routeKinds = RPCRouter.routeOrder(methods.keys).map { methods[$0]! }
        self.maxReceiveMessageSize = maxReceiveMessageSize
    }

    /// The number of streams with state (for idle detection and tests).
    package var activeStreamCount: Int { streams.count }

    /// Whether a graceful shutdown has begun.
    package var isDraining: Bool { phase != .active }

    // MARK: HTTP/2 events

    /// Processes one event reported by the nghttp2 session, appending the actions it calls for
    /// to `actions` (the connection reuses one buffer for every step).
    package mutating func receive(_ event: HTTP2ServerEvent, into actions: inout [Action]) {
        switch event {
        case .requestHeaders(let streamID, let headers, let endStream):
            receiveHeaders(streamID: streamID, headers: headers, endStream: endStream, into: &actions)
        case .data(let streamID, let bytes):
            receiveData(streamID: streamID, bytes: bytes, into: &actions)
        case .endStream(let streamID), .requestTrailers(let streamID):
            receiveEndStream(streamID: streamID, into: &actions)
        case .headerLimitExceeded(let streamID):
            actions.append(.resetStream(streamID: streamID, code: .enhanceYourCalm))
        case .streamClosed(let streamID, _):
            streamClosed(streamID: streamID, into: &actions)
        case .responseEndSent(let streamID):
            guard let stream = streams[streamID] else { return }
            stream.response = .ended
            // The response is complete but the client is still sending: tell it to stop.
            if !stream.clientHalfClosed { actions.append(.resetStream(streamID: streamID, code: .noError)) }
        case .outboundDrained(let streamID):
            actions.append(.resumeWriters(streamID: streamID))
        case .goawayReceived:
            break
        }
    }

    private func newStream(_ request: RequestPhase, clientHalfClosed: Bool) -> StreamState {
        StreamState(request: request, deframer: GRPCMessageDeframer(maxMessageSize: maxReceiveMessageSize),
                    clientHalfClosed: clientHalfClosed)
    }

    private mutating func receiveHeaders(streamID: Int32, headers: HTTP2RequestHeaders, endStream: Bool,
                                         into actions: inout [Action]) {
        let stream = newStream(.closed, clientHalfClosed: endStream)
        if !headers.isPOST {
            streams[streamID] = stream
            actions.append(.submitHeadersOnlyResponse(streamID: streamID, headers: [HTTP2HeaderField(name: ":status", value: "405")]))
            return
        }
        if headers.contentType != .grpc {
            streams[streamID] = stream
            let value = if case .other(let value) = headers.contentType { value } else { "" }
            actions.append(.submitHeadersOnlyResponse(streamID: streamID, headers: [
                HTTP2HeaderField(name: ":status", value: "415"),
                HTTP2HeaderField(name: "grpc-status", value: RPCError.Code.internal.headerValue),
                HTTP2HeaderField(name: "grpc-message", value: GRPCStatusMessage.encode("invalid content-type '\(value)'")),
            ]))
            return
        }
        let path = headers.path
        streams[streamID] = stream
        if phase != .active {
            return respondWithError(streamID: streamID, RPCError(code: .unavailable, message: "server is shutting down"), into: &actions)
        }
        let route = headers.route.flatMap { routeKinds.indices.contains($0) ? $0 : nil }
        guard let kind = route.map({ routeKinds[$0] }) ?? methods[path] else {
            return respondWithError(streamID: streamID, RPCError(code: .unimplemented, message: "unknown method \(path)"), into: &actions)
        }
        if let encoding = headers.encoding, encoding != "identity" {
            var error = RPCError(code: .unimplemented, message: "compression '\(encoding)' is not supported")
            error.metadata.addString("identity", forKey: "grpc-accept-encoding")
            return respondWithError(streamID: streamID, error, into: &actions)
        }
        var timeout: Duration?
        if let timeoutValue = headers.timeout {
            guard let parsed = GRPCTimeout(headerValue: timeoutValue) else {
                return respondWithError(streamID: streamID, RPCError(code: .internal, message: "malformed grpc-timeout '\(timeoutValue)'"),
                                        into: &actions)
            }
            timeout = parsed.duration
        }
        if let key = headers.invalidBinaryMetadataKey {
            return respondWithError(streamID: streamID, Metadata.invalidBase64(key: key), into: &actions)
        }
        let head = RequestHead(path: path, route: route, kind: kind, metadata: headers.metadata, timeout: timeout)
        stream.head = head
        if let timeout { actions.append(.scheduleDeadline(streamID: streamID, after: timeout)) }
        switch kind {
        case .unary, .serverStreaming:
            stream.request = .collecting
            streams[streamID] = stream
            if endStream { receiveEndStream(streamID: streamID, into: &actions) }
        case .clientStreaming, .bidirectionalStreaming:
            stream.request = endStream ? .closed : .streaming
            stream.handlerRunning = true
            streams[streamID] = stream
            actions.append(.startRPC(streamID: streamID, head: head, delivery: .streamed))
            if endStream { actions.append(.finishRequestMessages(streamID: streamID)) }
        }
    }

    /// Adds a DATA chunk to a collecting stream; throws when it makes the request invalid.
    private static func collect(_ bytes: ByteBuffer, into stream: StreamState) throws(RPCError) {
        stream.deframer.append(bytes)
        while let next = try stream.deframer.next() {
            guard stream.message == nil else {
                throw RPCError(code: .internal, message: "more than one request message for a \(stream.head!.kind) method")
            }
            stream.message = next
        }
    }

    /// Adds a DATA chunk to a streaming stream; returns the messages it completed.
    private static func deframe(_ bytes: ByteBuffer, into stream: StreamState) throws(RPCError) -> [[UInt8]] {
        stream.deframer.append(bytes)
        var messages: [[UInt8]] = []
        while let next = try stream.deframer.next() { messages.append(next) }
        return messages
    }

    private mutating func receiveData(streamID: Int32, bytes: ByteBuffer, into actions: inout [Action]) {
        let count = bytes.readableBytes
        guard let stream = streams[streamID] else {
            // A stream we already forgot: its bytes only count against the connection window.
            actions.append(.consume(streamID: streamID, count: count))
            return
        }
        switch stream.request {
        case .closed:
            actions.append(.consume(streamID: streamID, count: count))
        case .collecting:
            actions.append(.consume(streamID: streamID, count: count))
            do throws(RPCError) {
                try Self.collect(bytes, into: stream)
            } catch {
                stream.request = .closed
                respondWithError(streamID: streamID, error, into: &actions)
            }
        case .streaming:
            let messages: [[UInt8]]
            do throws(RPCError) {
                messages = try Self.deframe(bytes, into: stream)
            } catch {
                stream.request = .closed
                actions.append(.consume(streamID: streamID, count: count))
                actions.append(.cancelHandler(streamID: streamID))
                return respondWithError(streamID: streamID, error, into: &actions)
            }
            // Bytes that completed messages are returned when the handler takes the last of
            // them; bytes of a partial message are returned now so that a message larger than
            // the window can still arrive.
            let wireBytes = messages.reduce(0) { $0 + $1.count + GRPCMessageFramer.prefixLength }
            let credit = min(count, wireBytes)
            stream.owedCredit += credit
            if count > credit { actions.append(.consume(streamID: streamID, count: count - credit)) }
            for (position, message) in messages.enumerated() {
                actions.append(.deliverRequestMessage(streamID: streamID, message: message,
                                                      credit: position == messages.count - 1 ? credit : 0))
            }
        }
    }

    private mutating func receiveEndStream(streamID: Int32, into actions: inout [Action]) {
        guard let stream = streams[streamID] else { return }
        stream.clientHalfClosed = true
        switch stream.request {
        case .closed:
            return
        case .collecting:
            stream.request = .closed
            guard !stream.deframer.hasPartialMessage else {
                return respondWithError(streamID: streamID, RPCError(code: .internal, message: "request ended inside a message"),
                                        into: &actions)
            }
            guard let message = stream.message.take(), let head = stream.head else {
                return respondWithError(streamID: streamID, RPCError(code: .internal, message: "request has no message"), into: &actions)
            }
            stream.handlerRunning = true
            actions.append(.startRPC(streamID: streamID, head: head, delivery: .single(message)))
        case .streaming:
            stream.request = .closed
            guard !stream.deframer.hasPartialMessage else {
                actions.append(.cancelHandler(streamID: streamID))
                return respondWithError(streamID: streamID, RPCError(code: .internal, message: "request ended inside a message"),
                                        into: &actions)
            }
            actions.append(.finishRequestMessages(streamID: streamID))
        }
    }

    private mutating func streamClosed(streamID: Int32, into actions: inout [Action]) {
        guard let stream = streams.removeValue(forKey: streamID) else { return }
        if stream.handlerRunning && stream.response != .ended { actions.append(.cancelHandler(streamID: streamID)) }
        if stream.owedCredit > 0 { actions.append(.consume(streamID: streamID, count: stream.owedCredit)) }
        actions.append(.forgetStream(streamID: streamID))
        if phase == .draining && streams.isEmpty {
            phase = .closed
            actions.append(.closeConnection)
        }
    }

    // MARK: Handler outputs

    /// The handler took a request message carrying `credit` bytes of flow-control window.
    package mutating func requestMessageConsumed(streamID: Int32, credit: Int, into actions: inout [Action]) {
        guard credit > 0, let stream = streams[streamID] else { return }
        let returned = min(credit, stream.owedCredit)
        stream.owedCredit -= returned
        if returned > 0 { actions.append(.consume(streamID: streamID, count: returned)) }
    }

    /// The handler sends its initial metadata (response HEADERS).
    package mutating func sendResponseHeaders(streamID: Int32, metadata: Metadata, into actions: inout [Action]) {
        guard let stream = streams[streamID], stream.response == .notStarted else { return }
        stream.response = .headersSent
        actions.append(.submitResponseHeaders(streamID: streamID, headers: Self.responseHeaders(metadata)))
    }

    /// The handler sends one response message (already serialized).
    package mutating func sendResponseMessage(streamID: Int32, message: [UInt8], into actions: inout [Action]) {
        guard let stream = streams[streamID], stream.response != .ended else { return }
        if stream.response == .notStarted { sendResponseHeaders(streamID: streamID, metadata: [:], into: &actions) }
        actions.append(.enqueueResponseMessage(streamID: streamID, message: message))
    }

    /// The handler returned (or threw): send the status and trailing metadata.
    package mutating func finishResponse(streamID: Int32, status: Status, trailers: Metadata, into actions: inout [Action]) {
        guard let stream = streams[streamID] else { return }
        stream.handlerRunning = false
        guard stream.response != .ended else { return }
        respondWithStatus(streamID: streamID, status: status, trailers: trailers, into: &actions)
    }

    /// A unary handler's whole answer: headers, its one message and OK status, as one step (the
    /// same frames as ``sendResponseHeaders(streamID:metadata:into:)``,
    /// ``sendResponseMessage(streamID:message:into:)`` and ``finishResponse(streamID:status:trailers:into:)``).
    package mutating func sendUnaryResponse(streamID: Int32, headers: Metadata, message: [UInt8], trailers: Metadata,
                                            into actions: inout [Action]) {
        guard let stream = streams[streamID], stream.response == .notStarted else {
            sendResponseHeaders(streamID: streamID, metadata: headers, into: &actions)
            sendResponseMessage(streamID: streamID, message: message, into: &actions)
            finishResponse(streamID: streamID, status: .ok, trailers: trailers, into: &actions)
            return
        }
        stream.response = .ended
        stream.handlerRunning = false
        actions.append(.submitResponseHeaders(streamID: streamID, headers: Self.responseHeaders(headers)))
        actions.append(.enqueueResponseMessage(streamID: streamID, message: message))
        actions.append(.finishResponse(streamID: streamID, trailers: Self.statusFields(.ok, trailers: trailers)))
    }

    /// The request's deadline passed.
    package mutating func deadlineExpired(streamID: Int32) -> [Action] {
        guard let stream = streams[streamID], stream.response != .ended else { return [] }
        var actions: [Action] = stream.handlerRunning ? [.cancelHandler(streamID: streamID)] : []
        stream.request = .closed
        stream.handlerRunning = false
        respondWithError(streamID: streamID, RPCError(code: .deadlineExceeded, message: "deadline exceeded"), into: &actions)
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

    private mutating func respondWithError(streamID: Int32, _ error: RPCError, into actions: inout [Action]) {
        respondWithStatus(streamID: streamID, status: error.status, trailers: error.metadata, into: &actions)
    }

    private mutating func respondWithStatus(streamID: Int32, status: Status, trailers: Metadata, into actions: inout [Action]) {
        guard let stream = streams[streamID], stream.response != .ended else { return }
        let statusFields = Self.statusFields(status, trailers: trailers)
        let wasStarted = stream.response == .headersSent
        stream.response = .ended
        if wasStarted {
            actions.append(.finishResponse(streamID: streamID, trailers: statusFields))
        } else {
            actions.append(.submitHeadersOnlyResponse(streamID: streamID, headers: Self.okResponseHeaders + statusFields))
        }
    }

    /// `:status 200`, the content type and `metadata` (the shared constant when it is empty).
    private static func responseHeaders(_ metadata: Metadata) -> [HTTP2HeaderField] {
        if metadata.isEmpty { return okResponseHeaders }
        var headers = okResponseHeaders
        for (name, value) in metadata.headerFields() { headers.append(HTTP2HeaderField(name: name, value: value)) }
        return headers
    }

    /// `grpc-status`, `grpc-message` and trailing metadata (the shared constant for a bare OK).
    private static func statusFields(_ status: Status, trailers: Metadata) -> [HTTP2HeaderField] {
        if status.code == .ok && status.message.isEmpty && trailers.isEmpty { return okStatusFields }
        var statusFields = [HTTP2HeaderField(name: "grpc-status", value: status.code.headerValue)]
        if !status.message.isEmpty {
            statusFields.append(HTTP2HeaderField(name: "grpc-message", value: GRPCStatusMessage.encode(status.message)))
        }
        for (name, value) in trailers.headerFields() { statusFields.append(HTTP2HeaderField(name: name, value: value)) }
        if status.code == .unimplemented, trailers[stringValues: "grpc-accept-encoding"].isEmpty == false {
            statusFields.append(HTTP2HeaderField(name: "grpc-accept-encoding", value: "identity"))
        }
        return statusFields
    }
}
