import BoxOfficeLocks
/// Lets the connection cancel one handler's task from the event loop.
///
/// Holds an `UnsafeCurrentTask` only between ``run(_:)``'s start and end, under a mutex that
/// ``cancel()`` also takes, so `cancel()` is only ever called on a task that is still running.
package final class CallCancellation: Sendable {
    /// `@unchecked Sendable`: the reference is only used under the mutex, and only while the
    /// task it names is inside ``run(_:)`` (it is replaced before `run` returns).
    private struct TaskReference: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    private enum State {
        case notStarted
        case running(TaskReference)
        case cancelled
        case finished
    }

    // The task reference is only reachable through the mutex and is dropped before `run` returns.
    private let state: AnnotatedMutex<State> = AnnotatedMutex(.notStarted)

    package init() {}

    /// Whether ``cancel()`` has been called.
    package var isCancelled: Bool {
        state.withLock { if case .cancelled = $0 { true } else { false } }
    }

    /// Runs `body` as the cancellable work of this call, on the current task.
    package func run(_ body: () async -> Void) async {
        let cancelledEarly = withUnsafeCurrentTask { task -> Bool in
            state.withLock { state in
                switch state {
                case .notStarted:
                    if let task { state = .running(TaskReference(task: task)) }
                    return false
                case .cancelled:
                    return true
                case .running, .finished:
                    return false
                }
            }
        }
        if cancelledEarly { withUnsafeCurrentTask { $0?.cancel() } }
        await body()
        state.withLock { state in
            if case .running = state { state = .finished }
        }
    }

    /// Cancels the handler's task (now, or as soon as it starts).
    package func cancel() {
        state.withLock { state in
            switch state {
            case .notStarted:
                state = .cancelled
            case .running(let reference):
                reference.task.cancel()
                state = .cancelled
            case .cancelled, .finished:
                break
            }
        }
    }
}
