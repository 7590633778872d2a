import Synchronization

/// The per-service health of one server, read by `grpc.health.v1.Health` Check and Watch.
///
/// A service sets its own status (``setStatus(_:for:)``); the empty name is the server as a
/// whole. Names never set are unknown: Check answers NOT_FOUND and Watch SERVICE_UNKNOWN.
/// Thread-safe; share one registry per server.
public final class HealthStatusRegistry: Sendable {
    private struct State: ~Copyable {
        var table = HealthWatchTable()
        var continuations: [HealthWatchTable.WatcherID: AsyncStream<HealthStatus?>.Continuation] = [:]
    }

    /// The name that stands for the whole server.
    public static let server = ""

    private let state = Mutex(State())

    /// Creates a registry in which no service is known yet.
    public init() {}

    /// The status of `service`; nil when it is unknown.
    public func status(of service: String) -> HealthStatus? {
        state.withLock { $0.table.status(of: service) }
    }

    /// Sets the status of `service` (`""` for the server) and tells its watchers when it changed.
    public func setStatus(_ status: HealthStatus, for service: String) {
        state.withLock { state in
            Self.deliver(state.table.setStatus(status, for: service), to: state.continuations)
        }
    }

    /// Makes `service` unknown again (watchers see SERVICE_UNKNOWN).
    public func clearStatus(of service: String) {
        state.withLock { state in
            Self.deliver(state.table.clearStatus(of: service), to: state.continuations)
        }
    }

    /// Marks every known service NOT_SERVING, as a server does when it begins shutting down.
    public func enterShutdown() {
        let services = state.withLock { Array($0.table.statuses.keys) }
        for service in services { setStatus(.notServing, for: service) }
    }

    /// Calls `onStatus` with the current status of `service` (nil = unknown), then with every
    /// change, until the task is cancelled or `onStatus` throws. A slow `onStatus` sees the
    /// latest status, not every intermediate one.
    public func watch(_ service: String, onStatus: (HealthStatus?) async throws -> Void) async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: HealthStatus?.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            let (id, current) = state.table.addWatcher(of: service)
            state.continuations[id] = continuation
            continuation.yield(current)
            return id
        }
        defer {
            let removed = state.withLock { state in
                state.table.removeWatcher(id)
                return state.continuations.removeValue(forKey: id)
            }
            removed?.finish()
        }
        // Iteration ends when the task is cancelled.
        for await status in stream {
            try await onStatus(status)
        }
    }

    /// Every service with a status, sorted.
    public var knownServices: [String] { state.withLock { $0.table.statuses.keys.sorted() } }

    /// The number of open Watch streams.
    public var watcherCount: Int { state.withLock { $0.table.watcherCount } }

    /// Yields under the lock, so that two racing changes reach every watcher in the order they
    /// were made. `yield` never blocks and, with no `onTermination` handler, never calls back.
    private static func deliver(_ notifications: [HealthWatchTable.Notification],
                                to continuations: [HealthWatchTable.WatcherID: AsyncStream<HealthStatus?>.Continuation]) {
        for notification in notifications { continuations[notification.watcher]?.yield(notification.status) }
    }
}
