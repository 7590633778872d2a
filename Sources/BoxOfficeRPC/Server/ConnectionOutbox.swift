import BoxOfficeLocks
import NIOCore

/// Handler output on its way to the connection's event loop, applied in arrival order.
///
/// Output posted on the event loop itself (calls run there by default) is applied at once when
/// nothing is queued ahead of it; the connection then writes once per event-loop turn. Output
/// from other threads collects here and a single event-loop task applies all that arrived
/// meanwhile, then writes once, instead of one task (and one wake-up) per output.
final class ConnectionOutbox: Sendable {
    /// One piece of handler output for one stream.
    enum Entry: Sendable {
        case headers(streamID: Int32, metadata: Metadata)
        case message(streamID: Int32, bytes: [UInt8], written: CheckedContinuation<Void, any Error>)
        case finish(streamID: Int32, status: Status, trailers: Metadata)
        case unary(streamID: Int32, headers: Metadata, message: [UInt8], trailers: Metadata)
        case consumed(streamID: Int32, credit: Int)
    }

    private struct State {
        var entries: [Entry] = []
        var drainScheduled = false
    }

    private let state = AnnotatedMutex(State())
    private let eventLoop: any EventLoop
    private let connection: NIOLoopBound<ServerConnectionHandler>

    init(eventLoop: any EventLoop, connection: NIOLoopBound<ServerConnectionHandler>) {
        self.eventLoop = eventLoop
        self.connection = connection
    }

    /// Applies `entry` now (on the event loop, nothing queued) or queues it and schedules a
    /// drain on the event loop unless one is pending.
    func post(_ entry: Entry) {
        if eventLoop.inEventLoop && state.withLock({ $0.entries.isEmpty }) {
            connection.value.applyNow(entry)
            return
        }
        let schedule = state.withLock { state -> Bool in
            state.entries.append(entry)
            if state.drainScheduled { return false }
            state.drainScheduled = true
            return true
        }
        if schedule {
            eventLoop.execute { self.drain() }
        }
    }

    private func drain() {
        let entries = state.withLock { state -> [Entry] in
            state.drainScheduled = false
            var taken: [Entry] = []
            swap(&taken, &state.entries)
            return taken
        }
        connection.value.apply(entries)
    }
}

/// A call's way back to its connection, through the connection's ``ConnectionOutbox``.
struct StreamOutbound: ServerCallOutbound {
    let outbox: ConnectionOutbox
    let streamID: Int32

    func sendHeaders(_ metadata: Metadata) {
        outbox.post(.headers(streamID: streamID, metadata: metadata))
    }

    func write(_ message: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            outbox.post(.message(streamID: streamID, bytes: message, written: continuation))
        }
    }

    func finish(status: Status, trailers: Metadata) {
        outbox.post(.finish(streamID: streamID, status: status, trailers: trailers))
    }

    func finishUnary(headers: Metadata, message: [UInt8], trailers: Metadata) {
        outbox.post(.unary(streamID: streamID, headers: headers, message: message, trailers: trailers))
    }
}
