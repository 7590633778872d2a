import BoxOfficeInterop
import BoxOfficeRPC
import BoxOfficeStandardServices
import Logging

/// Runs a real interop server (TestService + health + reflection) on 127.0.0.1, port 0, for the
/// length of `body` (without TestService when `withTestService` is false), with a client connected to it; shuts both down afterwards, also on failure.
func withInteropServer(
    withTestService: Bool = true,
    _ body: @Sendable (GRPCClient, HealthStatusRegistry) async throws -> Void
) async throws {
    let health = HealthStatusRegistry()
    var router = RPCRouter()
    if withTestService { TestService().register(on: &router) }
    router.registerStandardServices(health: health)
    var logger = Logger(label: "boxoffice.test.interop-server")
    logger.logLevel = .warning
    let server = GRPCServer(configuration: GRPCServer.Configuration(host: "127.0.0.1", port: 0,
                                                                    shutdownGracePeriod: .seconds(1)),
                            router: router, logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        defer { group.cancelAll() }
        let port = try await server.listeningPort
        let channel = GRPCChannel(host: "127.0.0.1", port: port)
        do {
            try await body(GRPCClient(channel: channel), health)
            await channel.close()
        } catch {
            await channel.close()
            throw error
        }
    }
}
