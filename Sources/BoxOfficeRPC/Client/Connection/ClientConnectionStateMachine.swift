/// The client side of one HTTP/2 connection: which streams are open, whether new ones may start,
/// keepalive, and when the connection should close.
///
/// A value type with no I/O; every input returns an ``Action`` for the owner to carry out.
/// GOAWAY (received or sent) moves the connection to draining: no new streams, the open ones
/// finish, and the connection closes when the last one does.
struct ClientConnectionStateMachine: Sendable {
    enum Action: Sendable, Hashable {
        case none
        /// Send a PING with this payload and start the keepalive timeout.
        case sendPing(opaque: UInt64)
        /// Send GOAWAY; close the connection too when `thenClose`.
        case sendGoAway(thenClose: Bool)
        /// Close the connection now, failing the listed streams with UNAVAILABLE and `reason`.
        case close(failStreams: [Int32], reason: String)
    }

    /// Where the connection is in its life.
    enum State: Sendable, Hashable {
        case active
        /// GOAWAY sent or received: open streams finish, no new ones start.
        case draining
        case closed
    }

    /// Why a new stream cannot start on this connection.
    enum OpenRefusal: Error, Sendable, Hashable {
        case draining
        case closed
        case atConcurrencyLimit
    }

    /// Whether keepalive pings are sent while no call is open.
    let keepaliveWithoutCalls: Bool
    private(set) var state: State = .active
    private(set) var openStreams: Set<Int32> = []
    /// The server's SETTINGS_MAX_CONCURRENT_STREAMS (RFC 9113 default: unlimited; nghttp2 assumes 100
    /// until the SETTINGS frame arrives).
    private(set) var maxConcurrentStreams = 100
    private var outstandingPing: UInt64?
    private var pingsSent: UInt64 = 0

    init(keepaliveWithoutCalls: Bool = false) {
        self.keepaliveWithoutCalls = keepaliveWithoutCalls
    }

    /// How many more streams may start now.
    var availableStreams: Int {
        state == .active ? max(0, maxConcurrentStreams - openStreams.count) : 0
    }

    /// Checks whether a stream may start; call ``streamOpened(_:)`` once it has.
    func mayOpenStream() -> OpenRefusal? {
        switch state {
        case .draining: .draining
        case .closed: .closed
        case .active: openStreams.count < maxConcurrentStreams ? nil : .atConcurrencyLimit
        }
    }

    mutating func streamOpened(_ streamID: Int32) {
        precondition(state == .active, "stream opened on a connection that is \(state)")
        openStreams.insert(streamID)
    }

    /// A stream closed (for any reason). Closing an unknown stream is a no-op.
    mutating func streamClosed(_ streamID: Int32) -> Action {
        guard openStreams.remove(streamID) != nil else { return .none }
        if state == .draining && openStreams.isEmpty {
            state = .closed
            return .close(failStreams: [], reason: "connection drained")
        }
        return .none
    }

    mutating func settingsReceived(maxConcurrentStreams: Int) {
        self.maxConcurrentStreams = maxConcurrentStreams
    }

    /// The server sent GOAWAY. Streams above `lastStreamID` are closed by nghttp2 (REFUSED_STREAM);
    /// the others run to completion.
    mutating func goAwayReceived(lastStreamID: Int32) -> Action {
        switch state {
        case .closed:
            return .none
        case .active, .draining:
            state = .draining
            let survivors = openStreams.filter { $0 <= lastStreamID }
            if survivors.isEmpty {
                state = .closed
                return .close(failStreams: openStreams.sorted(), reason: "server sent GOAWAY")
            }
            return .none
        }
    }

    /// The owner wants to stop using the connection: in-flight calls finish, then it closes.
    mutating func beginGracefulClose() -> Action {
        guard state == .active else { return .none }
        if openStreams.isEmpty {
            state = .closed
            return .sendGoAway(thenClose: true)
        }
        state = .draining
        return .sendGoAway(thenClose: false)
    }

    /// The keepalive interval elapsed.
    mutating func keepaliveTimerFired() -> Action {
        guard state != .closed, outstandingPing == nil,
              keepaliveWithoutCalls || !openStreams.isEmpty else { return .none }
        pingsSent &+= 1
        outstandingPing = pingsSent
        return .sendPing(opaque: pingsSent)
    }

    mutating func pingAcknowledged(opaque: UInt64) {
        if outstandingPing == opaque { outstandingPing = nil }
    }

    /// The keepalive timeout for the ping `opaque` elapsed.
    mutating func pingTimeoutFired(opaque: UInt64) -> Action {
        guard state != .closed, outstandingPing == opaque else { return .none }
        state = .closed
        return .close(failStreams: openStreams.sorted(), reason: "keepalive ping not answered in time")
    }

    /// A connection-level protocol error (nghttp2 rejected the peer's bytes).
    mutating func protocolError(_ message: String) -> Action {
        guard state != .closed else { return .none }
        state = .closed
        return .close(failStreams: openStreams.sorted(), reason: message)
    }

    /// The socket closed. Returns the streams still open, to fail with UNAVAILABLE.
    mutating func channelInactive() -> [Int32] {
        state = .closed
        defer { openStreams.removeAll() }
        return openStreams.sorted()
    }
}
