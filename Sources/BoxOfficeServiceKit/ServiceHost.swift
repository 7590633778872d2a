#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import BoxOfficeRPC
public import BoxOfficeStandardServices
public import Logging
public import ServiceLifecycle
public import UnixSignals

/// Runs one BoxOffice service process: its gRPC server (with health and reflection), the
/// background work beside it, and graceful shutdown on SIGTERM/SIGINT.
///
/// Every `boxoffice serve …` command builds its router and background services, then hands them
/// to ``run(router:health:background:interceptors:onListening:)``.
public struct ServiceHost: Sendable {
    /// Where and how the process serves.
    public struct Configuration: Sendable {
        /// The service's short name (`inventory`, `booking`, `payment`, `provider-sim`): log label and metric prefix.
        public var name: String
        /// The gRPC listening address.
        public var host: String
        /// The gRPC port; 0 picks a free one (printed as `LISTENING <port>`).
        public var port: Int
        /// The Prometheus `/metrics` HTTP port; nil serves no metrics endpoint, 0 picks a free one
        /// (printed as `METRICS <port>`).
        public var metricsPort: Int?
        /// How long in-flight calls may drain after SIGTERM before they are cancelled.
        public var shutdownGracePeriod: Duration
        /// The signals that start graceful shutdown; tests that run a host in-process pass none.
        public var shutdownSignals: [UnixSignal]

        /// Creates a configuration.
        public init(name: String, host: String = "127.0.0.1", port: Int, metricsPort: Int? = nil,
                    shutdownGracePeriod: Duration = .seconds(10), shutdownSignals: [UnixSignal] = [.sigterm, .sigint]) {
            self.name = name
            self.host = host
            self.port = port
            self.metricsPort = metricsPort
            self.shutdownGracePeriod = shutdownGracePeriod
            self.shutdownSignals = shutdownSignals
        }
    }

    /// The configuration.
    public let configuration: Configuration
    /// The process logger.
    public let logger: Logger

    /// Creates a host.
    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves until graceful shutdown (a configured signal) completes.
    ///
    /// Adds health and reflection to `router` (every registered service is marked SERVING), binds,
    /// prints `LISTENING <port>` on standard output (the line `boxoffice cluster up` and the tests
    /// wait for), and runs `background` beside the server. On shutdown, health turns NOT_SERVING
    /// first, then the server drains, then the background services are shut down (a service group
    /// stops its services last to first).
    ///
    /// - Parameter onListening: called with the bound gRPC port once listening (after the line is printed).
    public func run(router: RPCRouter, health: HealthStatusRegistry = HealthStatusRegistry(),
                    background: [any Service] = [], interceptors: [any ServerInterceptor] = [],
                    onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        var router = router
        router.registerStandardServices(health: health)
        let server = GRPCServer(
            configuration: GRPCServer.Configuration(host: configuration.host, port: configuration.port,
                                                    shutdownGracePeriod: configuration.shutdownGracePeriod),
            router: router, interceptors: interceptors, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = background.map { .init(service: $0) }
        services.append(.init(service: server))
        services.append(.init(service: HealthShutdownService(health: health), successTerminationBehavior: .ignore))
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: configuration.shutdownSignals, logger: logger))
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            let port = try await server.listeningPort
            print("LISTENING \(port)")
            fflush(nil)
            logger.notice("serving", metadata: ["service": "\(configuration.name)", "port": "\(port)"])
            onListening(port)
        }
    }
}
