public import BoxOfficeAPI
public import BoxOfficeProto
public import BoxOfficeRPC

/// Registers the services every BoxOffice server carries: `grpc.health.v1.Health` and server
/// reflection (`grpc.reflection.v1` and `v1alpha`).
extension RPCRouter {
    /// Adds health and reflection to this router. Call it after registering the server's own
    /// services: reflection lists the services registered at this point (and itself and health).
    ///
    /// Every service already registered, and the server itself (`""`), is marked SERVING in
    /// `health` unless it already has a status; services change it later through `health`.
    ///
    /// - Parameters:
    ///   - health: the statuses Check and Watch report.
    ///   - descriptors: the files reflection serves; by default every file under `Protos/`.
    public mutating func registerStandardServices(
        health: HealthStatusRegistry,
        descriptors: ProtoDescriptorRegistry = BoxOfficeDescriptorSet.registry
    ) {
        let ownServices = Set(paths.compactMap(Self.serviceName(ofPath:)))
        for service in ownServices.sorted() + [HealthStatusRegistry.server] where health.status(of: service) == nil {
            health.setStatus(.serving, for: service)
        }
        HealthService(registry: health).register(on: &self)
        let resolver = ReflectionResolver(
            registry: descriptors,
            services: Array(ownServices) + [
                Grpc_Health_V1_Health.descriptor.fullName,
                Grpc_Reflection_V1_ServerReflection.descriptor.fullName,
                Grpc_Reflection_V1alpha_ServerReflection.descriptor.fullName,
            ])
        ReflectionService(resolver: resolver).register(on: &self)
    }

    /// `package.Service` from `/package.Service/Method`.
    static func serviceName(ofPath path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return String(parts[1])
    }
}
