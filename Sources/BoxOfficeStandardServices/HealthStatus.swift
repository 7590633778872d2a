public import BoxOfficeAPI

/// Whether a service can take calls, as `grpc.health.v1.Health` reports it.
public enum HealthStatus: Sendable, Hashable {
    /// The service takes calls.
    case serving
    /// The service is up but refuses calls (starting, draining, or a dependency is down).
    case notServing

    /// The wire form.
    public var servingStatus: Grpc_Health_V1_HealthCheckResponse.ServingStatus {
        switch self {
        case .serving: .serving
        case .notServing: .notServing
        }
    }
}
