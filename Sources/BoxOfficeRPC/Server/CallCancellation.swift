import BoxOfficeLocks
/// Lets the connection cancel one handler's task from the event loop.
///
/// Holds an `UnsafeCurrentTask` only between ``begin()`` and ``end()``, under a mutex that
/// ``cancel()`` also takes, so `cancel()` is only ever called on a task that is still running
/// the call. `begin` and `end` are plain calls around the call's work rather than a closure
/// taking it: no async frame or closure context per call.
package final class CallCancellation: Sendable {
    /// `@unchecked Sendable`: the reference is only used under the mutex, and only while the
    /// task it names is between ``begin()`` and ``end()`` (it is dropped by `end`).
    private struct TaskReference: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    private enum Phase {
        case notStarted
        case running
        case cancelled
        case finished
    }

    /// The phase apart from the task: `UnsafeCurrentTask` is a resilient type, so an enum
    /// carrying it was copied and destroyed through value witnesses on every check.
    private struct State {
        var phase = Phase.notStarted
        /// Set while `running`.
        var task: TaskReference?
    }

    // The task reference is only reachable through the mutex and is dropped before the call's work ends.
    private let state = AnnotatedMutex(State())

    package init() {}

    /// Whether ``cancel()`` has been called.
    package var isCancelled: Bool {
        state.withLock { $0.phase == .cancelled }
    }

    /// Marks the current task as running this call's work, until ``end()``: ``cancel()`` cancels
    /// it meanwhile. A call cancelled before it began cancels the task at once. Outside a task,
    /// or after the call ended, nothing is recorded.
    package func begin() {
        withUnsafeCurrentTask { task in
            let cancelledEarly = state.withLock { state -> Bool in
                switch state.phase {
                case .notStarted:
                    if let task {
                        state.phase = .running
                        state.task = TaskReference(task: task)
                    }
                    return false
                case .cancelled:
                    return true
                case .running, .finished:
                    return false
                }
            }
            if cancelledEarly { task?.cancel() }
        }
    }

    /// Ends the call's work on its task: a later ``cancel()`` no longer reaches the task.
    package func end() {
        state.withLock { state in
            if state.phase == .running { state.phase = .finished }
            state.task = nil
        }
    }

    /// Cancels the handler's task (now, or as soon as it begins).
    package func cancel() {
        state.withLock { state in
            switch state.phase {
            case .notStarted:
                state.phase = .cancelled
            case .running:
                state.task?.task.cancel()
                state.task = nil
                state.phase = .cancelled
            case .cancelled, .finished:
                break
            }
        }
    }
}
