import BoxOfficeLocks
/// What the connection pool may know about a connection without hopping to its event loop.
///
/// Written by the connection's handler on its event loop, read by the pool on any thread.
final class ClientConnectionAvailability: Sendable {
    struct Snapshot: Sendable, Hashable {
        var state: ClientConnectionStateMachine.State
        var availableStreams: Int
        /// Why the connection was judged unhealthy (keepalive timeout, protocol error); nil
        /// while healthy or after an orderly close.
        var unhealthyReason: String?
    }

    private let box = AnnotatedMutex(Snapshot(state: .active, availableStreams: 100, unhealthyReason: nil))

    var snapshot: Snapshot { box.withLock { $0 } }

    func update(state: ClientConnectionStateMachine.State, availableStreams: Int) {
        box.withLock { snapshot in
            snapshot.state = state
            snapshot.availableStreams = availableStreams
        }
    }

    /// Records that the connection failed in a way that says its endpoint is unhealthy.
    func markUnhealthy(_ reason: String) {
        box.withLock { $0.unhealthyReason = $0.unhealthyReason ?? reason }
    }

    /// Reserves a stream slot for a call that is about to hop to the event loop, so that
    /// concurrent callers spread over connections instead of piling onto one.
    func reserveStream() -> Bool {
        box.withLock { snapshot in
            guard snapshot.state == .active, snapshot.availableStreams > 0 else { return false }
            snapshot.availableStreams -= 1
            return true
        }
    }
}
