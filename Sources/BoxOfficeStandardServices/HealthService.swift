import BoxOfficeAPI
public import BoxOfficeRPC

/// `grpc.health.v1.Health` over a ``HealthStatusRegistry``: Check, Watch and List.
public struct HealthService: Sendable {
    /// The statuses this service reports.
    public let registry: HealthStatusRegistry

    /// Creates the service for `registry`.
    public init(registry: HealthStatusRegistry) {
        self.registry = registry
    }

    /// Adds Check, Watch and List to `router`.
    public func register(on router: inout RPCRouter) {
        let registry = self.registry
        router.registerSimpleUnary(Grpc_Health_V1_Health.Method.Check.descriptor) {
            (request: Grpc_Health_V1_HealthCheckRequest, _) -> Grpc_Health_V1_HealthCheckResponse in
            guard let status = registry.status(of: request.service) else {
                throw RPCError(code: .notFound, message: "unknown service '\(request.service)'")
            }
            return Self.response(status)
        }
        router.registerSimpleUnary(Grpc_Health_V1_Health.Method.List.descriptor) {
            (_: Grpc_Health_V1_HealthListRequest, _) -> Grpc_Health_V1_HealthListResponse in
            var response = Grpc_Health_V1_HealthListResponse()
            for service in registry.knownServices {
                if let status = registry.status(of: service) { response.statuses[service] = Self.response(status) }
            }
            return response
        }
        router.registerServerStreaming(Grpc_Health_V1_Health.Method.Watch.descriptor) {
            (request: ServerRequest<Grpc_Health_V1_HealthCheckRequest>, _)
                -> StreamingServerResponse<Grpc_Health_V1_HealthCheckResponse> in
            let service = request.message.service
            return StreamingServerResponse { writer in
                // Runs until the client cancels (or the server shuts down).
                try await registry.watch(service) { status in
                    var response = Grpc_Health_V1_HealthCheckResponse()
                    response.status = status?.servingStatus ?? .serviceUnknown
                    try await writer.write(response)
                }
                return [:]
            }
        }
    }

    private static func response(_ status: HealthStatus) -> Grpc_Health_V1_HealthCheckResponse {
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = status.servingStatus
        return response
    }
}
