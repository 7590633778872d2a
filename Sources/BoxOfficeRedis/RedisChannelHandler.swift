internal import NIOCore

/// The thin I/O shell around ``RedisPipelineStateMachine``: encodes commands, coalesces writes,
/// feeds received bytes to hiredis, and resumes waiters in reply order.
///
/// Lives on its channel's event loop; every method must be called there.
final class RedisChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    typealias Waiter = CheckedContinuation<[RESPValue], any Error>

    private var machine: RedisPipelineStateMachine<Waiter>
    private var reader = RESPReader()
    private var context: ChannelHandlerContext?
    /// Commands encoded since the last flush; written with one syscall per event-loop tick.
    private var outbound = ByteBuffer()
    private var flushScheduled = false
    private let pushMessages: AsyncStream<RedisPubSubMessage>.Continuation?

    /// - Parameter pushMessages: where pub/sub messages go; `nil` for an ordinary command connection.
    init(pushMessages: AsyncStream<RedisPubSubMessage>.Continuation?) {
        self.pushMessages = pushMessages
        self.machine = RedisPipelineStateMachine(receivesPushMessages: pushMessages != nil)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        outbound = context.channel.allocator.buffer(capacity: 1024)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Queues `commands` as one batch whose replies resume `waiter`.
    func send(_ commands: [RedisCommand], waiter: Waiter) {
        switch machine.enqueue(waiter, commandCount: commands.count) {
        case .write:
            for command in commands { RESPCommandFormatter.format(command, into: &outbound) }
            scheduleFlush()
        case .fail(let waiter, let error):
            waiter.resume(throwing: error)
        }
    }

    /// Closes after the replies still due have arrived.
    func close() {
        switch machine.close() {
        case .closeNow: context?.close(promise: nil)
        case .waitForReplies, .none: break
        }
    }

    /// Callers on other threads enqueue through `execute`; flushing in a later task of the same loop
    /// sends everything enqueued meanwhile in one write.
    private func scheduleFlush() {
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute { self.flushOutbound() }
    }

    private func flushOutbound() {
        flushScheduled = false
        guard let context, outbound.readableBytes > 0 else { return }
        context.writeAndFlush(Self.wrapOutboundOut(outbound), promise: nil)
        outbound.clear()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Self.unwrapInboundIn(data)
        do {
            try bytes.withUnsafeReadableBytes { try reader.feed($0) }
            while let reply = try reader.next() {
                perform(machine.receive(reply), context: context)
            }
        } catch let error as RedisError {
            failAll(error, context: context)
        } catch {
            failAll(RedisError(code: .protocolViolation, message: "\(error)"), context: context)
        }
    }

    private func perform(_ action: RedisPipelineStateMachine<Waiter>.ReceiveAction, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .succeed(let waiter, let replies):
            waiter.resume(returning: replies)
        case .succeedAndClose(let waiter, let replies):
            waiter.resume(returning: replies)
            context.close(promise: nil)
        case .deliver(let message):
            pushMessages?.yield(message)
        case .failAllAndClose(let waiters, let error):
            for waiter in waiters { waiter.resume(throwing: error) }
            context.close(promise: nil)
        }
    }

    private func failAll(_ error: RedisError, context: ChannelHandlerContext) {
        for waiter in machine.fail(error) { waiter.resume(throwing: error) }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let (waiters, error) = machine.channelClosed()
        for waiter in waiters { waiter.resume(throwing: error) }
        pushMessages?.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(RedisError(code: .connectionClosed, message: "connection error: \(error)"), context: context)
    }
}
