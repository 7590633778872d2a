/// The calls of one connection: which may go on the wire now, which wait, and what a cancellation does.
///
/// Pipelined calls are sent as soon as they are submitted, each after the ones before it. A simple
/// query leaves pipeline mode, so it waits until nothing is in flight, and calls submitted after it
/// wait until it is answered. Cancelling a caller's task:
/// - a call still waiting is dropped (the caller gets `CancellationError`, the server sees nothing);
/// - a call that is the only one whose caller still waits gets a server-side cancel request
///   (`PQcancel`); until that request is delivered *and* the call answered, nothing new is sent, so the
///   request cannot stop a later statement;
/// - a call pipelined with other waiting callers' calls is abandoned: its caller gets
///   `CancellationError` at once, the statement still runs (and may take effect), its results are discarded.
///
/// No I/O: ``ConnectionDriver`` sends, reads and resumes callers as the returned values say.
struct ConnectionStateMachine {
    typealias CallID = UInt64

    /// How a call travels.
    enum CallKind: Equatable {
        /// Extended-protocol statements followed by a sync point, pipelined with other calls.
        case pipelined
        /// Simple-query text, sent alone outside pipeline mode.
        case simpleQuery
    }

    /// Why a call is refused at submission.
    enum Rejection: Equatable {
        case closed
        case cancelled
    }

    /// What to do with a submitted call.
    enum SubmitAction: Equatable {
        /// Put it on the wire now.
        case send
        /// Keep it until ``takeSendable()`` hands it out.
        case queue
        /// Fail it at once.
        case reject(Rejection)
    }

    /// What a cancellation of a caller's task means.
    enum CancelAction: Equatable {
        /// Resume the caller with `CancellationError` now (its call was dropped or abandoned).
        case resumeWithCancellation
        /// Ask the server to cancel the running statement, then report ``cancelRequestDelivered()``.
        case sendCancelRequest
        /// Nothing to do (already answered, being cancelled, or not cancellable).
        case none
    }

    /// What to do with a call's results when they arrive.
    enum Completion: Equatable {
        /// Resume the waiting caller with them.
        case resume
        /// Drop them: the caller was already resumed.
        case discard
    }

    private enum Phase {
        case open
        case failed
        case closed
    }

    private struct InFlightCall {
        var id: CallID
        var kind: CallKind
        var abandoned = false
    }

    private struct ServerCancel {
        var id: CallID
        var delivered = false
        var answered = false
    }

    private var phase = Phase.open
    private var inFlight: [InFlightCall] = []
    private var queued: [(id: CallID, kind: CallKind)] = []
    private var serverCancel: ServerCancel?

    /// True when no call is in flight or waiting (abandoned calls count as in flight until answered).
    var isIdle: Bool { inFlight.isEmpty && queued.isEmpty }

    /// Calls on the wire, abandoned ones included.
    var inFlightCount: Int { inFlight.count }

    /// True once the connection failed or was closed.
    var isClosed: Bool { phase != .open }

    /// A caller submits a call; `taskIsCancelled` is read under the same lock as this call.
    mutating func submit(_ id: CallID, _ kind: CallKind, taskIsCancelled: Bool) -> SubmitAction {
        guard phase == .open else { return .reject(.closed) }
        // A simple query is how a pool rolls back after a cancelled transaction: never refuse it.
        if taskIsCancelled && kind == .pipelined { return .reject(.cancelled) }
        if queued.isEmpty && mayStart(kind) {
            inFlight.append(InFlightCall(id: id, kind: kind))
            return .send
        }
        queued.append((id, kind))
        return .queue
    }

    /// The waiting calls that may go on the wire now, in order; they count as in flight from here on.
    mutating func takeSendable() -> [(id: CallID, kind: CallKind)] {
        var sendable: [(id: CallID, kind: CallKind)] = []
        while let next = queued.first, mayStart(next.kind) {
            queued.removeFirst()
            inFlight.append(InFlightCall(id: next.id, kind: next.kind))
            sendable.append(next)
        }
        return sendable
    }

    /// A call's results (or its error) arrived.
    mutating func completed(_ id: CallID) -> Completion {
        guard let index = inFlight.firstIndex(where: { $0.id == id }) else { return .discard }
        let call = inFlight.remove(at: index)
        if serverCancel?.id == id {
            serverCancel?.answered = true
            if serverCancel?.delivered == true { serverCancel = nil }
        }
        return call.abandoned ? .discard : .resume
    }

    /// A caller's task was cancelled.
    mutating func cancel(_ id: CallID) -> CancelAction {
        if let index = queued.firstIndex(where: { $0.id == id }) {
            queued.remove(at: index)
            return .resumeWithCancellation
        }
        guard let index = inFlight.firstIndex(where: { $0.id == id }), !inFlight[index].abandoned,
            inFlight[index].kind == .pipelined, serverCancel?.id != id
        else { return .none }
        let othersWaiting = inFlight.contains { $0.id != id && !$0.abandoned }
        if !othersWaiting && serverCancel == nil && phase == .open {
            serverCancel = ServerCancel(id: id)
            return .sendCancelRequest
        }
        inFlight[index].abandoned = true
        return .resumeWithCancellation
    }

    /// The server-side cancel request was delivered (or could not be); sending resumes once the call is answered.
    mutating func cancelRequestDelivered() {
        guard serverCancel != nil else { return }
        serverCancel?.delivered = true
        if serverCancel?.answered == true { serverCancel = nil }
    }

    /// The connection broke: returns the calls whose callers still wait, to fail them.
    mutating func connectionFailed() -> [CallID] {
        end(.failed)
    }

    /// The connection is being closed: returns the calls whose callers still wait, to fail them.
    mutating func close() -> [CallID] {
        end(.closed)
    }

    private mutating func end(_ newPhase: Phase) -> [CallID] {
        if phase == .open { phase = newPhase }
        let waiting = inFlight.filter { !$0.abandoned }.map(\.id) + queued.map(\.id)
        inFlight = []
        queued = []
        serverCancel = nil
        return waiting
    }

    private func mayStart(_ kind: CallKind) -> Bool {
        guard phase == .open, serverCancel == nil else { return false }
        switch kind {
        case .pipelined: return !inFlight.contains { $0.kind == .simpleQuery }
        case .simpleQuery: return inFlight.isEmpty
        }
    }
}
