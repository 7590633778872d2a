#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import BoxOfficeInterop
import BoxOfficeRPC
import BoxOfficeStandardServices
import Logging
import ServiceLifecycle

/// `boxoffice interop-server`: grpc.testing.TestService with health and reflection.
struct InteropServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interop-server",
        abstract: "Serve grpc.testing.TestService (with health and reflection) for gRPC interop tests.",
        discussion: "Prints 'LISTENING <port>' once bound; SIGTERM or SIGINT shut it down gracefully.")

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port: Int

    @Option(help: "The address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "warning"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown log level '\(logLevel)'") }
    }

    func run() async throws {
        var logger = Logger(label: "boxoffice.interop-server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
        let health = HealthStatusRegistry()
        var router = RPCRouter()
        TestService().register(on: &router)
        router.registerStandardServices(health: health)
        let server = GRPCServer(configuration: GRPCServer.Configuration(host: host, port: port, shutdownGracePeriod: .seconds(5)),
                                router: router, logger: logger)
        // A service group shuts services down last to first: health turns NOT_SERVING before
        // the server starts draining.
        let services = ServiceGroup(configuration: .init(
            services: [.init(service: server),
                       .init(service: HealthShutdownService(health: health), successTerminationBehavior: .ignore)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await services.run() }
            let bound = try await server.listeningPort
            print("LISTENING \(bound)")
            fflush(nil)
        }
    }
}
