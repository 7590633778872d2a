public import Logging
public import ServiceLifecycle

/// Background work that runs every `interval` until graceful shutdown: expiry sweeps, reconcilers,
/// outbox relays, saga recovery. A failed round is logged and tried again at the next tick.
public struct RecurringWork: Service {
    /// Names the work in logs.
    public let name: String
    /// Time between the end of one round and the start of the next.
    public let interval: Duration
    private let logger: Logger
    private let round: @Sendable () async throws -> Void

    /// Creates the work; `round` runs once per tick.
    public init(name: String, interval: Duration, logger: Logger, round: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.round = round
    }

    /// Runs rounds until graceful shutdown or cancellation.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await round()
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("background round failed", metadata: ["work": "\(name)", "error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
