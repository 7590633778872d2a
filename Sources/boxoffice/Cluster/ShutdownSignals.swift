import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// SIGINT and SIGTERM, taken over from their default (exit at once) so the supervisor can stop
/// its services first. Services do not inherit this: the cluster spawns them with default dispositions.
final class ShutdownSignals: Sendable {
    // Safe: dispatch sources are thread-safe (not marked Sendable); this array is written once in
    // init and read only in deinit.
    nonisolated(unsafe) private let sources: [any DispatchSourceSignal]
    private let state = Mutex<(received: Bool, handlers: [@Sendable () -> Void], waiters: [CheckedContinuation<Void, Never>])>(
        (false, [], []))

    init() {
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            sources.append(DispatchSource.makeSignalSource(signal: number, queue: .global()))
        }
        self.sources = sources
        for source in sources {
            source.setEventHandler { [weak self] in self?.fire() }
            source.resume()
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }

    /// Whether a signal arrived.
    var received: Bool { state.withLock { $0.received } }

    /// Runs `handler` when the first signal arrives (at once if one already did).
    func onSignal(_ handler: @escaping @Sendable () -> Void) {
        let already = state.withLock { state in
            if !state.received { state.handlers.append(handler) }
            return state.received
        }
        if already { handler() }
    }

    /// Returns when the first signal arrived.
    func wait() async {
        await withCheckedContinuation { continuation in
            let already = state.withLock { state in
                if !state.received { state.waiters.append(continuation) }
                return state.received
            }
            if already { continuation.resume() }
        }
    }

    private func fire() {
        let (handlers, waiters) = state.withLock { state -> ([@Sendable () -> Void], [CheckedContinuation<Void, Never>]) in
            guard !state.received else { return ([], []) }
            state.received = true
            defer { state.handlers = []; state.waiters = [] }
            return (state.handlers, state.waiters)
        }
        for handler in handlers { handler() }
        for waiter in waiters { waiter.resume() }
    }
}
