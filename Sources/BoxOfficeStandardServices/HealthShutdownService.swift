public import ServiceLifecycle

/// Marks every service NOT_SERVING in a ``HealthStatusRegistry`` as soon as graceful shutdown
/// begins, so that health-checking clients and load balancers move away while in-flight calls
/// drain.
///
/// Run it in the server's `ServiceGroup` after the server (a group shuts its services down last
/// to first) with `successTerminationBehavior: .ignore` (it returns once it has done its job).
public struct HealthShutdownService: Service {
    /// The registry to update.
    public let health: HealthStatusRegistry

    /// Creates the service for `health`.
    public init(health: HealthStatusRegistry) {
        self.health = health
    }

    /// Waits for graceful shutdown (or cancellation), then marks everything NOT_SERVING.
    public func run() async throws {
        try? await gracefulShutdown()
        health.enterShutdown()
    }
}
