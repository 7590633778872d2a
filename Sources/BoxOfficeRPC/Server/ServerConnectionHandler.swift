import BoxOfficeProto
internal import Logging
import NIOCore

/// The thin I/O layer of one server connection: feeds received bytes to nghttp2, runs the
/// resulting events through ``ServerConnectionStateMachine``, executes its actions, and writes
/// whatever nghttp2 produced as one coalesced write and flush.
///
/// Calls run as tasks: with ``ImmediateCalls`` (handlers on the connection's event loop) they are
/// started here, synchronously, when a read's requests have been parsed, and run until their first
/// suspension before the output is written; otherwise they are handed to the connection's task
/// group. Their output comes back through ``StreamOutbound`` (at once when on this event loop).
///
/// Immediate calls share runner tasks: a runner takes the read's calls one after another, and a
/// new runner starts only when the current one suspends (or was cancelled with its call), so a
/// read of 100 calls that never wait costs one task, not 100, while a call that waits delays no
/// other call.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Starts a graceful shutdown when fired as an inbound user event.
    struct GracefulShutdownEvent: Sendable {
        /// How long in-flight calls may run before they are cancelled.
        var gracePeriod: Duration
    }

    /// What the connection holds for one stream besides the state machine's view (an object,
    /// so lookups and updates copy nothing).
    private final class StreamResources {
        let cancellation = CallCancellation()
        var queue: RequestMessageQueue?
        var deadline: ContinuousClock.Instant?
        var deadlineTimer: Scheduled<Void>?
        var waitingWriters: [CheckedContinuation<Void, any Error>] = []
    }

    /// How calls start on the connection's event loop without a hop through the connection's task.
    struct ImmediateCalls {
        let runner: ServerCallRunner
        let executor: EventLoopTaskExecutor
    }

    private let session: NGHTTP2ServerSession
    private var machine: ServerConnectionStateMachine
    /// Calls for the connection's task; with ``ImmediateCalls`` only finished (once the connection
    /// closed and its last call ended), which tells the connection's task it is done.
    private let calls: AsyncStream<[ServerCall]>.Continuation
    private let immediateCalls: ImmediateCalls?
    /// Calls accepted during the current read, started (or handed over) together.
    private var acceptedCalls: [ServerCall] = []
    /// The first of ``acceptedCalls`` no runner task has taken yet (immediate calls only).
    private var nextAcceptedCall = 0
    /// Immediate calls taken by a runner task and not yet ended.
    private var runningCalls = 0
    /// True while accepted calls are being started: output they apply is written right after.
    private var startingCalls = false
    private var isInactive = false
    private var loopBoundSelf: NIOLoopBound<ServerConnectionHandler>?
    private let limits: HTTP2ServerLimits
    private let logger: Logger
    private var resources = StreamTable<StreamResources>()
    private var context: ChannelHandlerContext?
    private var flushScheduled = false
    private var closing = false
    private var lastActivity = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?
    private var remotePeer = "unknown"
    private var outbox: ConnectionOutbox?
    /// Reused for every batch of session events (swapped with the session's array).
    private var pendingEvents: [HTTP2ServerEvent] = []
    /// Reused for the actions of every state-machine step (see ``step(_:)``).
    private var actionBuffer: [ServerConnectionStateMachine.Action] = []
    /// Messages written by handlers on this event loop since the loop last did I/O for this
    /// connection. A handler's write on the loop returns at once (no hop), so a streaming handler
    /// could keep the loop busy until flow control stops it; past ``writeBurstLimit`` its writers
    /// are parked until a short timer has let the loop read, write and serve other connections.
    private var writeBurst = 0
    /// The output buffer of the last flush, kept for the next one unless it grew past ``spareOutputLimit``.
    private var spareOutput: ByteBuffer?
    private static let spareOutputLimit = 16 * 1024
    private var parkedWriters: [CheckedContinuation<Void, any Error>] = []
    private var unparkTimer: Scheduled<Void>?
    private static let writeBurstLimit = 64

    init(router: RPCRouter, limits: HTTP2ServerLimits, maxReceiveMessageSize: Int,
         calls: AsyncStream<[ServerCall]>.Continuation, immediateCalls: ImmediateCalls?, logger: Logger) throws {
        // In route order (`router.paths`): a request's route indexes them here, in the state machine and in the runner.
        self.session = try NGHTTP2ServerSession(limits: limits, knownPaths: router.paths)
        self.machine = ServerConnectionStateMachine(methods: router.methods.mapValues(\.kind),
                                                    maxReceiveMessageSize: maxReceiveMessageSize)
        self.calls = calls
        self.immediateCalls = immediateCalls
        self.limits = limits
        self.logger = logger
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.loopBoundSelf = loopBoundSelf
        outbox = ConnectionOutbox(eventLoop: context.eventLoop, connection: loopBoundSelf)
        if let address = context.channel.remoteAddress { remotePeer = Self.describe(address) }
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        if let address = context.channel.remoteAddress { remotePeer = Self.describe(address) }
        guard idleTimer == nil else { return }
        scheduleIdleCheck(after: limits.idleTimeout)
        flushOutput()  // the server's SETTINGS
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        lastActivity = .now()
        do {
            try session.receive(bytes)
            processSessionEvents()
        } catch {
            logger.debug("closing connection after HTTP/2 error", metadata: ["rpc.peer": "\(remotePeer)", "error": "\(error)"])
            processSessionEvents()
            flushOutput()
            close()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        writeBurst = 0
        flushOutput()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { flushOutput() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let shutdown = event as? GracefulShutdownEvent {
            perform(machine.beginGracefulShutdown())
            context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount.saturating(shutdown.gracePeriod)) {
                self.perform(self.machine.drainDeadlineReached())
                self.flushOutput()
            }
            flushOutput()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["rpc.peer": "\(remotePeer)", "error": "\(error)"])
        close()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        idleTimer?.cancel()
        for (streamID, _) in resources { release(streamID: streamID, cancel: true) }
        resources.removeAll()
        unparkTimer?.cancel()
        let writers = parkedWriters
        parkedWriters = []
        for writer in writers { writer.resume(throwing: RPCError(code: .cancelled, message: "the call is over")) }
        acceptedCalls.removeAll()
        nextAcceptedCall = 0
        isInactive = true
        if runningCalls == 0 { calls.finish() }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        outbox = nil
        loopBoundSelf = nil
    }

    // MARK: Handler output (on the event loop, via ConnectionOutbox)

    /// Applies handler output that arrived since the last drain, then writes once.
    func apply(_ entries: [ConnectionOutbox.Entry]) {
        for entry in entries { applyEntry(entry, onLoop: false) }
        flushOutput()
    }

    /// Applies handler output posted on the event loop; the write follows later in this
    /// event-loop turn, together with the output of the other calls that run meanwhile.
    func applyNow(_ entry: ConnectionOutbox.Entry) {
        applyEntry(entry, onLoop: true)
        if !startingCalls { scheduleFlush() }
    }

    private func applyEntry(_ entry: ConnectionOutbox.Entry, onLoop: Bool) {
        switch entry {
        case .headers(let streamID, let metadata):
            step { $0.sendResponseHeaders(streamID: streamID, metadata: metadata, into: &$1) }
        case .message(let streamID, let bytes, let written):
            handlerWrote(streamID: streamID, message: bytes, continuation: written, onLoop: onLoop)
        case .finish(let streamID, let status, let trailers):
            step { $0.finishResponse(streamID: streamID, status: status, trailers: trailers, into: &$1) }
        case .unary(let streamID, let headers, let message, let trailers):
            step { $0.sendUnaryResponse(streamID: streamID, headers: headers, message: message, trailers: trailers, into: &$1) }
        case .consumed(let streamID, let credit):
            step { $0.requestMessageConsumed(streamID: streamID, credit: credit, into: &$1) }
        }
    }

    private func handlerWrote(streamID: Int32, message: [UInt8], continuation: CheckedContinuation<Void, any Error>,
                              onLoop: Bool) {
        step { $0.sendResponseMessage(streamID: streamID, message: message, into: &$1) }
        guard resources[streamID] != nil, !closing else {
            continuation.resume(throwing: RPCError(code: .cancelled, message: "the call is over"))
            return
        }
        if session.outboundBytes(streamID: streamID) > limits.outboundHighWaterMark {
            resources[streamID]?.waitingWriters.append(continuation)
        } else if onLoop && writeBurst >= Self.writeBurstLimit {
            parkedWriters.append(continuation)
            scheduleUnpark()
        } else {
            if onLoop { writeBurst += 1 }
            continuation.resume()
        }
    }

    // MARK: Driving nghttp2

    private func processSessionEvents() {
        // Bounded: each round only handles events produced by the previous one.
        for _ in 0..<64 {
            session.takeEvents(into: &pendingEvents)
            if pendingEvents.isEmpty { return }
            let events = pendingEvents  // released at the end of the round, so the storage is reused
            for event in events { step { $0.receive(event, into: &$1) } }
        }
    }

    /// Resumes parked writers after a pause long enough for the loop to poll for I/O (a task
    /// due now would run before any I/O, since the loop drains its task queue first).
    private func scheduleUnpark() {
        guard unparkTimer == nil, let context else { return }
        unparkTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(200)) {
            self.unparkTimer = nil
            self.unparkWriters()
        }
    }

    private func unparkWriters() {
        writeBurst = 0
        let writers = parkedWriters
        parkedWriters = []
        for writer in writers { writer.resume() }
    }

    private func scheduleFlush() {
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.flushOutput()
        }
    }

    private func flushOutput() {
        startAcceptedCalls()
        guard let context, context.channel.isActive else { return }
        guard context.channel.isWritable else { return }
        // The last flush's buffer, reused: once the socket took its bytes, nothing else holds it
        // and no storage is allocated (ByteBuffer copies on write if a pending write still does).
        var output = spareOutput.take() ?? context.channel.allocator.buffer(capacity: 0)
        output.clear()
        for _ in 0..<64 {
            do {
                try session.send(into: &output)
            } catch {
                logger.debug("nghttp2 send failed", metadata: ["error": "\(error)"])
                closing = true
                break
            }
            let before = output.readableBytes
            processSessionEvents()
            if !session.wantsWrite && output.readableBytes == before { break }
        }
        if output.readableBytes > 0 {
            context.writeAndFlush(wrapOutboundOut(output), promise: nil)
        }
        if output.capacity <= Self.spareOutputLimit { spareOutput = output }

        if closing || !session.isAlive { close() }
    }

    /// Starts the calls accepted since the last flush (their output is written by the caller,
    /// ``flushOutput()``), or hands them to the connection's task.
    ///
    /// Immediate calls: each runner task runs calls taken from ``acceptedCalls`` until none is left.
    /// `Task.immediateDetached` returns when its task ends or first suspends; while calls remain
    /// (the runner is waiting inside one), another runner starts. So when this returns, every call
    /// has been taken, and a runner resuming later finds nothing left and ends.
    private func startAcceptedCalls() {
        guard nextAcceptedCall < acceptedCalls.count else { return }
        guard let immediateCalls, let loopBoundSelf else {
            calls.yield(acceptedCalls)
            acceptedCalls.removeAll(keepingCapacity: true)
            return
        }
        startingCalls = true
        defer { startingCalls = false }
        let runner = immediateCalls.runner
        while nextAcceptedCall < acceptedCalls.count {
            let nextBefore = nextAcceptedCall
            // Detached: no task-local (such as another call's deadline) carries over from whatever
            // runs on this thread. The task prefers the event loop, so it ends there too.
            Task.immediateDetached(executorPreference: immediateCalls.executor) {
                while let call = loopBoundSelf.value.takeAcceptedCall() {
                    await runner.run(call)
                    loopBoundSelf.value.callEnded()
                    // A call cancelled through this task left the task cancelled: the calls after
                    // it get a fresh runner (started by the loop above, or by nobody if none is left).
                    if Task.isCancelled { return }
                }
            }
            // A runner that did not start at once takes the calls when it runs: no second one.
            // (A runner that took every call leaves none, and the loop ends either way.)
            if nextAcceptedCall == nextBefore { break }
        }
    }

    /// The next accepted call for a runner task, counted as running; nil when all were taken.
    private func takeAcceptedCall() -> ServerCall? {
        guard nextAcceptedCall < acceptedCalls.count else { return nil }
        let call = acceptedCalls[nextAcceptedCall]
        nextAcceptedCall += 1
        if nextAcceptedCall == acceptedCalls.count {
            acceptedCalls.removeAll(keepingCapacity: true)
            nextAcceptedCall = 0
        }
        runningCalls += 1
        return call
    }

    private func callEnded() {
        runningCalls -= 1
        if isInactive && runningCalls == 0 { calls.finish() }
    }

    private func close() {
        guard let context else { return }
        closing = true
        context.close(promise: nil)
    }

    // MARK: Actions

    /// Runs one state-machine step, collecting its actions in the reused buffer, then performs
    /// them. The buffer is taken out meanwhile: an action that re-enters (a cancelled handler
    /// answering at once) gets a buffer of its own.
    private func step(_ body: (inout ServerConnectionStateMachine, inout [ServerConnectionStateMachine.Action]) -> Void) {
        var actions: [ServerConnectionStateMachine.Action] = []
        swap(&actions, &actionBuffer)
        body(&machine, &actions)
        for action in actions { perform(action) }
        actions.removeAll(keepingCapacity: true)
        actionBuffer = actions
    }

    private func perform(_ actions: [ServerConnectionStateMachine.Action]) {
        for action in actions { perform(action) }
    }

    private func perform(_ action: ServerConnectionStateMachine.Action) {
        switch action {
        case .startRPC(let streamID, let head, let delivery):
            startRPC(streamID: streamID, head: head, delivery: delivery)
        case .deliverRequestMessage(let streamID, let message, let credit):
            resources[streamID]?.queue?.yield(message, credit: credit)
        case .finishRequestMessages(let streamID):
            resources[streamID]?.queue?.finish()
        case .cancelHandler(let streamID):
            resources[streamID]?.cancellation.cancel()
            resources[streamID]?.queue?.finish(error: RPCError(code: .cancelled, message: "the call was cancelled"))
        case .scheduleDeadline(let streamID, let timeout):
            scheduleDeadline(streamID: streamID, after: timeout)
        case .submitResponseHeaders(let streamID, let headers):
            session.submitResponse(streamID: streamID, headers: headers)
        case .submitHeadersOnlyResponse(let streamID, let headers):
            session.submitHeadersOnlyResponse(streamID: streamID, headers: headers)
        case .enqueueResponseMessage(let streamID, let message):
            session.enqueue(message: message, streamID: streamID)
        case .finishResponse(let streamID, let trailers):
            session.finishResponse(streamID: streamID, trailers: trailers)
        case .resetStream(let streamID, let code):
            session.resetStream(streamID: streamID, code: code)
        case .consume(let streamID, let count):
            session.consume(streamID: streamID, count: count)
        case .resumeWriters(let streamID):
            let writers = resources[streamID]?.waitingWriters ?? []
            resources[streamID]?.waitingWriters = []
            for writer in writers { writer.resume() }
        case .forgetStream(let streamID):
            release(streamID: streamID, cancel: false)
            resources[streamID] = nil
            lastActivity = .now()
        case .sendShutdownNotice:
            session.submitShutdownNotice()
        case .sendGoaway(let code):
            session.submitGoaway(code: code)
        case .closeConnection:
            closing = true
            scheduleFlush()
        }
    }

    private func startRPC(streamID: Int32, head: ServerConnectionStateMachine.RequestHead,
                          delivery: ServerConnectionStateMachine.RequestDelivery) {
        guard let outbox else { return }
        let stream = resource(for: streamID)
        let requests: ServerCall.Requests
        switch delivery {
        case .single(let message):
            requests = .single(message)
        case .streamed:
            let queue = RequestMessageQueue { credit in
                outbox.post(.consumed(streamID: streamID, credit: credit))
            }
            stream.queue = queue
            requests = .stream(queue)
        }
        let callContext = ServerContext(path: head.path, metadata: head.metadata, deadline: stream.deadline,
                                        remotePeer: remotePeer, logger: logger, cancellation: stream.cancellation)
        let outbound = StreamOutbound(outbox: outbox, streamID: streamID)
        acceptedCalls.append(ServerCall(context: callContext, route: head.route, requests: requests, outbound: outbound))
    }

    private func scheduleDeadline(streamID: Int32, after timeout: Duration) {
        guard let context else { return }
        let stream = resource(for: streamID)
        stream.deadline = ContinuousClock.now + timeout
        stream.deadlineTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount.saturating(timeout)) {
            self.perform(self.machine.deadlineExpired(streamID: streamID))
            self.scheduleFlush()
        }
    }

    private func resource(for streamID: Int32) -> StreamResources {
        if let existing = resources[streamID] { return existing }
        let created = StreamResources()
        resources[streamID] = created
        return created
    }

    private func release(streamID: Int32, cancel: Bool) {
        guard let stream = resources[streamID] else { return }
        stream.deadlineTimer?.cancel()
        if cancel { stream.cancellation.cancel() }
        stream.queue?.finish(error: RPCError(code: .cancelled, message: "the call is over"))
        for writer in stream.waitingWriters {
            writer.resume(throwing: RPCError(code: .cancelled, message: "the call is over"))
        }
    }

    private func scheduleIdleCheck(after delay: Duration) {
        guard let context else { return }
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount.saturating(delay)) {
            let idleFor = NIODeadline.now() - self.lastActivity
            let limit = TimeAmount.saturating(self.limits.idleTimeout)
            if self.machine.activeStreamCount == 0 && idleFor >= limit {
                self.perform(self.machine.idleTimeoutFired())
                self.flushOutput()
            } else {
                let remaining = self.machine.activeStreamCount == 0 ? limit - idleFor : limit
                self.scheduleIdleCheck(after: .nanoseconds(max(remaining.nanoseconds, 1_000_000)))
            }
        }
    }

    private static func describe(_ address: SocketAddress) -> String {
        switch address {
        case .v4: "ipv4:\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        case .v6: "ipv6:[\(address.ipAddress ?? "?")]:\(address.port ?? 0)"
        case .unixDomainSocket: "unix:\(address.pathname ?? "")"
        }
    }
}

extension TimeAmount {
    /// `duration` as a NIO time amount, saturating instead of overflowing.
    static func saturating(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if nanos.overflow { return .nanoseconds(seconds < 0 ? .min : .max) }
        return .nanoseconds(nanos.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue)
    }
}
