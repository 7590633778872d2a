internal import DequeModule

/// The request/reply bookkeeping of one Redis connection, as a value type that performs no I/O.
///
/// Each entry waits for a fixed number of replies (one for a single command, N for a batch of N
/// commands written together); replies are matched strictly in order, because Redis answers in
/// the order it received commands. The caller (the channel handler) performs the returned actions.
/// `Waiter` is whatever the caller resumes when replies arrive (a continuation in production, an
/// integer in tests).
struct RedisPipelineStateMachine<Waiter> {
    /// Commands written and not yet fully answered.
    struct Entry {
        var waiter: Waiter
        var expectedReplies: Int
        var replies: [RESPValue]
    }

    enum State {
        /// Accepting commands.
        case open
        /// A graceful close was asked for: no new commands; close once the in-flight ones are answered.
        case closing
        /// The connection is gone; every later command fails with this error.
        case closed(RedisError)
    }

    enum EnqueueAction {
        /// Encode and write the commands; their replies will be matched to the waiter.
        case write
        /// Do not write; fail the waiter at once.
        case fail(Waiter, RedisError)
    }

    enum ReceiveAction {
        /// A batch is only partly answered; nothing to do yet.
        case none
        /// All replies for a waiter have arrived.
        case succeed(Waiter, [RESPValue])
        /// All replies for the last waiter of a closing connection have arrived; close the channel after resuming it.
        case succeedAndClose(Waiter, [RESPValue])
        /// A pub/sub message arrived on a subscriber connection.
        case deliver(RedisPubSubMessage)
        /// The server sent something no one asked for: fail everyone and close.
        case failAllAndClose([Waiter], RedisError)
    }

    enum CloseAction {
        /// Close the channel now.
        case closeNow
        /// Replies are still due; the close happens after the last of them (see ``ReceiveAction/succeedAndClose(_:_:)``).
        case waitForReplies
        /// Already closing or closed; nothing to do.
        case none
    }

    private(set) var state: State = .open
    private var inFlight: Deque<Entry> = []
    /// Whether the server may push `message`/`pmessage` arrays that answer no command (a subscriber connection).
    let receivesPushMessages: Bool

    init(receivesPushMessages: Bool = false) {
        self.receivesPushMessages = receivesPushMessages
    }

    /// The number of waiters whose replies are still due.
    var inFlightCount: Int { inFlight.count }

    /// A waiter wants `commandCount` commands sent (`commandCount` ≥ 1).
    mutating func enqueue(_ waiter: Waiter, commandCount: Int) -> EnqueueAction {
        precondition(commandCount > 0, "a batch needs at least one command")
        switch state {
        case .open:
            inFlight.append(Entry(waiter: waiter, expectedReplies: commandCount, replies: []))
            return .write
        case .closing:
            return .fail(waiter, RedisError(code: .connectionClosed, message: "the connection is closing"))
        case .closed(let error):
            return .fail(waiter, error)
        }
    }

    /// One complete reply arrived from the server.
    mutating func receive(_ reply: RESPValue) -> ReceiveAction {
        if case .closed = state { return .none }
        if receivesPushMessages, let message = RedisPubSubMessage(push: reply) {
            return .deliver(message)
        }
        guard !inFlight.isEmpty else {
            let error = RedisError(code: .protocolViolation, message: "the server sent a reply no command was waiting for")
            state = .closed(error)
            return .failAllAndClose([], error)
        }
        inFlight[inFlight.startIndex].replies.append(reply)
        guard inFlight[inFlight.startIndex].replies.count == inFlight[inFlight.startIndex].expectedReplies else {
            return .none
        }
        let entry = inFlight.removeFirst()
        if case .closing = state, inFlight.isEmpty {
            state = .closed(RedisError(code: .connectionClosed, message: "the connection was closed"))
            return .succeedAndClose(entry.waiter, entry.replies)
        }
        return .succeed(entry.waiter, entry.replies)
    }

    /// The owner asked for a graceful close.
    mutating func close() -> CloseAction {
        switch state {
        case .open where inFlight.isEmpty:
            state = .closed(RedisError(code: .connectionClosed, message: "the connection was closed"))
            return .closeNow
        case .open:
            state = .closing
            return .waitForReplies
        case .closing, .closed:
            return .none
        }
    }

    /// The reply stream broke (invalid bytes, I/O error): every waiter fails with `error` and the channel must close.
    mutating func fail(_ error: RedisError) -> [Waiter] {
        if case .closed = state { return drain() }
        state = .closed(error)
        return drain()
    }

    /// The channel became inactive; returns the waiters to fail, with the error to fail them with.
    mutating func channelClosed() -> ([Waiter], RedisError) {
        switch state {
        case .closed(let error):
            return (drain(), error)
        case .open, .closing:
            let error = RedisError(code: .connectionClosed, message: "the connection to the Redis server closed")
            state = .closed(error)
            return (drain(), error)
        }
    }

    private mutating func drain() -> [Waiter] {
        defer { inFlight.removeAll() }
        return inFlight.map(\.waiter)
    }
}
