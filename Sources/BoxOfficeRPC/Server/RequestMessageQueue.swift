import BoxOfficeLocks
/// The request messages of one streaming call, handed from the event loop to the handler task.
///
/// The event loop only ever holds as many messages as the stream's flow-control window lets
/// the client send, because a message's window credit is returned (through `onConsumed`) only
/// when the handler takes it.
package final class RequestMessageQueue: Sendable {
    private struct State {
        var messages: [(message: [UInt8], credit: Int)] = []
        var head = 0
        var end: RPCError?? = .none  // .some(nil) = finished normally, .some(error) = failed
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
    }

    private let state = AnnotatedMutex(State())
    private let onConsumed: @Sendable (Int) -> Void

    /// - Parameter onConsumed: called (on the consumer's task) with the window credit of each
    ///   message the handler takes.
    package init(onConsumed: @escaping @Sendable (Int) -> Void) {
        self.onConsumed = onConsumed
    }

    /// Adds a message (event loop).
    package func yield(_ message: [UInt8], credit: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.messages.append((message, credit))
            return nil
        }
        if let waiter {
            if credit > 0 { onConsumed(credit) }
            waiter.resume(returning: message)
        }
    }

    /// Ends the stream: normally (`error == nil`) or with an error the consumer sees.
    package func finish(error: RPCError? = nil) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            guard state.end == nil else { return nil }
            state.end = .some(error)
            defer { state.waiter = nil }
            return state.waiter
        }
        if let waiter {
            if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
        }
    }

    private enum Outcome {
        case message([UInt8], credit: Int)
        case end(RPCError?)
        case wait
    }

    private static func take(_ state: inout State) -> Outcome {
        if state.head < state.messages.count {
            let (message, credit) = state.messages[state.head]
            state.head += 1
            if state.head == state.messages.count {
                state.messages.removeAll(keepingCapacity: true)
                state.head = 0
            }
            return .message(message, credit: credit)
        }
        if let end = state.end { return .end(end) }
        return .wait
    }

    /// The next message, nil at the end of the stream.
    ///
    /// - Throws: the error the stream was finished with, or `cancelled` when the task is.
    package func next() async throws -> [UInt8]? {
        switch state.withLock({ Self.take(&$0) }) {
        case .message(let message, let credit):
            if credit > 0 { onConsumed(credit) }
            return message
        case .end(let error):
            if let error { throw error }
            return nil
        case .wait:
            break
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                let outcome = state.withLock { state -> Outcome in
                    let outcome = Self.take(&state)
                    if case .wait = outcome {
                        if Task.isCancelled { return .end(RPCError(code: .cancelled, message: "cancelled")) }
                        state.waiter = continuation
                    }
                    return outcome
                }
                switch outcome {
                case .wait:
                    break
                case .message(let message, let credit):
                    if credit > 0 { onConsumed(credit) }
                    continuation.resume(returning: message)
                case .end(let error):
                    if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: nil) }
                }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: RPCError(code: .cancelled, message: "cancelled"))
        }
    }
}
