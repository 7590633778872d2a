import Logging
import NIOCore

/// The thin I/O shell around one client HTTP/2 connection: feeds socket bytes to nghttp2, applies
/// the state machines' actions, and writes everything nghttp2 queued in one write + flush.
///
/// Lives on its channel's event loop; every method must be called there (``ClientConnection``
/// hops to the loop for callers elsewhere).
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// One open call on this connection.
    private struct OpenStream {
        var machine: ClientStreamStateMachine
        let sink: AsyncThrowingStream<ClientResponsePart, any Error>.Continuation
        var deadlineTimer: Scheduled<Void>?
        /// Writes waiting for the pending request bytes to drain below the limit.
        var blockedWrites: [EventLoopPromise<Void>] = []
    }

    private let session: HTTP2ClientSession
    private let configuration: ClientConnectionConfiguration
    private let availability: ClientConnectionAvailability
    private let logger: Logger
    private var machine: ClientConnectionStateMachine
    private var streams: [Int32: OpenStream] = [:]
    private var context: ChannelHandlerContext?
    private var keepaliveTimer: RepeatedTask?
    private var pingTimeout: Scheduled<Void>?
    private var started = false
    /// Completed when the server's first SETTINGS frame arrives (the connection is usable), or
    /// failed when the connection closes or times out first; nil once completed.
    private var readiness: EventLoopPromise<Void>?
    /// Streams with ``OpenStream/blockedWrites``.
    private var streamsWithBlockedWrites: Set<Int32> = []

    init(configuration: ClientConnectionConfiguration, availability: ClientConnectionAvailability,
         logger: Logger, readiness: EventLoopPromise<Void>? = nil) throws(HTTP2ClientSessionError) {
        self.readiness = readiness
        self.session = try HTTP2ClientSession(configuration: configuration.sessionConfiguration)
        self.configuration = configuration
        self.availability = availability
        self.logger = logger
        self.machine = ClientConnectionStateMachine(keepaliveWithoutCalls: configuration.keepaliveWithoutCalls)
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // A connect that failed never made the channel active: release the waiter here.
        readiness?.fail(RPCError(code: .unavailable, message: "connection closed before the server's HTTP/2 SETTINGS"))
        readiness = nil
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        if let interval = configuration.keepaliveInterval {
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            keepaliveTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                handler.value.keepaliveTimerFired()
            }
        }
        flush()
        publish()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        do {
            let events = try session.receive(bytes)
            handle(events)
        } catch {
            logger.debug("HTTP/2 protocol error from server", metadata: ["rpc.error": "\(error)"])
            handle(events: session.takeEvents())
            availability.markUnhealthy("HTTP/2 protocol error: \(error)")
            apply(machine.protocolError("HTTP/2 protocol error: \(error)"))
        }
        flush()
        publish()
    }

    func channelInactive(context: ChannelHandlerContext) {
        readiness?.fail(RPCError(code: .unavailable, message: "connection closed before the server's HTTP/2 SETTINGS"))
        readiness = nil
        keepaliveTimer?.cancel()
        keepaliveTimer = nil
        pingTimeout?.cancel()
        pingTimeout = nil
        _ = machine.channelInactive()
        let open = streams
        streams.removeAll()
        for (_, var stream) in open {
            stream.deadlineTimer?.cancel()
            stream.blockedWrites.forEach { $0.succeed() }
            finish(stream: &stream, action: stream.machine.connectionLost("connection closed"), streamID: nil)
        }
        publish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("client connection error", metadata: ["rpc.error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: Calls (on the event loop)

    /// Starts a request stream.
    ///
    /// - Parameters:
    ///   - headers: the complete request header list, pseudo-headers first.
    ///   - body: already-framed request bytes to send at once.
    ///   - endStream: whether `body` is the whole request.
    ///   - deadline: when the call fails with DEADLINE_EXCEEDED and the stream is cancelled.
    ///   - sink: receives the response parts; finished exactly once.
    /// - Throws: ``ClientConnectionStateMachine/OpenRefusal`` when this connection takes no new
    ///   stream; the caller then tries another connection.
    func openStream(headers: [HTTP2HeaderField], body: [UInt8], endStream: Bool, deadline: NIODeadline?,
                    sink: AsyncThrowingStream<ClientResponsePart, any Error>.Continuation) throws -> Int32 {
        if let refusal = machine.mayOpenStream() { throw refusal }
        let streamID = try session.submitRequest(headers: headers, body: body, endStream: endStream)
        machine.streamOpened(streamID)
        var stream = OpenStream(machine: ClientStreamStateMachine(maxMessageSize: configuration.maxReceiveMessageSize),
                                sink: sink, deadlineTimer: nil)
        if endStream { stream.machine.requestEnded() }
        if let deadline, let context {
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            stream.deadlineTimer = context.eventLoop.scheduleTask(deadline: deadline) {
                handler.value.deadlineExpired(streamID: streamID)
            }
        }
        streams[streamID] = stream
        flush()
        publish()
        return streamID
    }

    /// Sends more framed request bytes; `endStream` half-closes the request.
    ///
    /// `written` succeeds once the bytes are queued and the stream's backlog is within
    /// ``ClientConnectionConfiguration/maxPendingRequestBytes`` (at once if the call has ended:
    /// its outcome is reported through the responses).
    func send(streamID: Int32, body: [UInt8], endStream: Bool, written: EventLoopPromise<Void>? = nil) {
        guard var stream = streams[streamID], !stream.machine.isFinished else {
            written?.succeed()
            return
        }
        if endStream {
            stream.machine.requestEnded()
            streams[streamID] = stream
        }
        session.appendBody(streamID: streamID, bytes: body, endStream: endStream)
        flush()
        guard let written else { return }
        if session.pendingBodyBytes(streamID: streamID) > configuration.maxPendingRequestBytes,
           streams[streamID] != nil {
            streams[streamID]!.blockedWrites.append(written)
            streamsWithBlockedWrites.insert(streamID)
        } else {
            written.succeed()
        }
    }

    /// Lets blocked writes go once nghttp2 has taken enough of their stream's backlog.
    private func releaseBlockedWrites() {
        for streamID in streamsWithBlockedWrites {
            guard var stream = streams[streamID] else {
                streamsWithBlockedWrites.remove(streamID)
                continue
            }
            guard stream.machine.isFinished
                    || session.pendingBodyBytes(streamID: streamID) <= configuration.maxPendingRequestBytes else { continue }
            let writes = stream.blockedWrites
            stream.blockedWrites = []
            streams[streamID] = stream
            streamsWithBlockedWrites.remove(streamID)
            for write in writes { write.succeed() }
        }
    }

    /// The caller has read response messages of `wireBytes`: give their window back to the
    /// server, which may then send more.
    func responseRead(streamID: Int32, wireBytes: Int) {
        applyToStream(streamID) { machine in
            machine.messagesRead(wireBytes: wireBytes)
            return .none
        }
        flush()
    }

    /// Cancels a call: the caller sees CANCELLED and the server RST_STREAM(CANCEL).
    func cancel(streamID: Int32) {
        applyToStream(streamID) { $0.cancelled() }
        flush()
    }

    /// Stops taking new calls; closes once the open ones finish.
    func closeGracefully() {
        apply(machine.beginGracefulClose())
        flush()
        publish()
    }

    // MARK: Timers

    private func deadlineExpired(streamID: Int32) {
        applyToStream(streamID) { $0.deadlineExpired() }
        flush()
    }

    private func keepaliveTimerFired() {
        apply(machine.keepaliveTimerFired())
        flush()
    }

    /// The connect timeout passed: without the server's SETTINGS the connection is not usable
    /// (a hung host still completes TCP handshakes).
    func readinessTimedOut() {
        guard let readiness else { return }
        self.readiness = nil
        availability.markUnhealthy("no HTTP/2 SETTINGS from the server in time")
        readiness.fail(RPCError(code: .unavailable, message: "no HTTP/2 SETTINGS from the server in time"))
        context?.close(promise: nil)
    }

    private func pingTimeoutFired(opaque: UInt64) {
        let action = machine.pingTimeoutFired(opaque: opaque)
        if case .close(_, let reason) = action { availability.markUnhealthy(reason) }
        apply(action)
        flush()
        publish()
    }

    // MARK: Event handling

    private func handle(_ events: [HTTP2ClientEvent]) {
        var events = events
        while !events.isEmpty {
            handle(events: events)
            events = session.takeEvents()
        }
    }

    private func handle(events: [HTTP2ClientEvent]) {
        for event in events {
            switch event {
            case .headers(let streamID, let fields, _, let endStream):
                applyToStream(streamID) { $0.receivedHeaders(fields, endStream: endStream) }
            case .data(let streamID, let bytes, let endStream):
                applyToStream(streamID) { $0.receivedData(bytes, endStream: endStream) }
            case .streamClosed(let streamID, let errorCode):
                if var stream = streams.removeValue(forKey: streamID) {
                    stream.deadlineTimer?.cancel()
                    stream.blockedWrites.forEach { $0.succeed() }
                    finish(stream: &stream, action: stream.machine.streamClosed(errorCode: errorCode), streamID: nil)
                }
                apply(machine.streamClosed(streamID))
            case .goAway(let lastStreamID, let errorCode):
                logger.debug("server sent GOAWAY", metadata: ["rpc.last_stream_id": "\(lastStreamID)",
                                                               "rpc.error_code": "\(errorCode)"])
                apply(machine.goAwayReceived(lastStreamID: lastStreamID))
            case .pingAcknowledged(let opaque):
                machine.pingAcknowledged(opaque: opaque)
                pingTimeout?.cancel()
                pingTimeout = nil
            case .settingsReceived:
                machine.settingsReceived(maxConcurrentStreams: session.remoteMaxConcurrentStreams)
                readiness?.succeed()
                readiness = nil
            }
        }
    }

    private func applyToStream(_ streamID: Int32, _ input: (inout ClientStreamStateMachine) -> ClientStreamStateMachine.Action) {
        guard var stream = streams[streamID] else { return }
        let action = input(&stream.machine)
        finish(stream: &stream, action: action, streamID: streamID)
        session.returnStreamCredit(streamID: streamID, count: stream.machine.takeWindowCredit())
        streams[streamID] = stream
    }

    /// Carries out a stream action; `streamID` is nil when the stream is already closed.
    private func finish(stream: inout OpenStream, action: ClientStreamStateMachine.Action, streamID: Int32?) {
        switch action {
        case .none:
            break
        case .deliver(let parts):
            for part in parts { stream.sink.yield(part) }
        case .finish(let parts, let end, let resetCode):
            for part in parts { stream.sink.yield(part) }
            if let error = end.error {
                stream.sink.finish(throwing: error)
            } else {
                stream.sink.yield(.trailers(end.trailers))
                stream.sink.finish()
            }
            stream.deadlineTimer?.cancel()
            stream.deadlineTimer = nil
            if let resetCode, let streamID { session.resetStream(streamID: streamID, errorCode: resetCode) }
        }
    }

    private func apply(_ action: ClientConnectionStateMachine.Action) {
        switch action {
        case .none:
            break
        case .sendPing(let opaque):
            session.ping(opaque: opaque)
            if let context {
                let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
                pingTimeout = context.eventLoop.scheduleTask(in: configuration.keepaliveTimeout) {
                    handler.value.pingTimeoutFired(opaque: opaque)
                }
            }
        case .sendGoAway(let thenClose):
            session.goAway()
            if thenClose { closeAfterFlush(failing: [], reason: "closed") }
        case .close(let failing, let reason):
            closeAfterFlush(failing: failing, reason: reason)
        }
    }

    private func closeAfterFlush(failing streamIDs: [Int32], reason: String) {
        for streamID in streamIDs {
            guard var stream = streams.removeValue(forKey: streamID) else { continue }
            stream.blockedWrites.forEach { $0.succeed() }
            finish(stream: &stream, action: stream.machine.connectionLost(reason), streamID: nil)
        }
        flush()
        context?.close(promise: nil)
    }

    /// Writes everything nghttp2 has queued, in one write and one flush.
    private func flush() {
        guard let context, context.channel.isActive else { return }
        var outbound = context.channel.allocator.buffer(capacity: 0)
        do {
            try session.drainOutbound(into: &outbound)
        } catch {
            logger.debug("nghttp2 send failed", metadata: ["rpc.error": "\(error)"])
            context.close(promise: nil)
            return
        }
        let events = session.takeEvents()
        if outbound.readableBytes > 0 {
            context.writeAndFlush(wrapOutboundOut(outbound), promise: nil)
        }
        if !events.isEmpty {
            handle(events)
            flush()
        }
        if !streamsWithBlockedWrites.isEmpty { releaseBlockedWrites() }
    }

    private func publish() {
        availability.update(state: machine.state, availableStreams: machine.availableStreams)
    }
}
