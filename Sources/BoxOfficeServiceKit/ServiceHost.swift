#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import BoxOfficeRPC
public import BoxOfficeStandardServices
public import Logging
public import Prometheus
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
        /// The registry served on `/metrics` and fed by the per-method RPC metrics; nil means
        /// ``ServiceHost/metricsRegistry`` (the process's swift-metrics backend). Tests running
        /// hosts in-process pass one of their own.
        public var metricsRegistry: PrometheusCollectorRegistry?
        /// Whether every call is logged (`rpc started` / `rpc finished`, at debug level) with a request id.
        public var logsCalls: Bool

        /// Creates a configuration.
        public init(name: String, host: String = "127.0.0.1", port: Int, metricsPort: Int? = nil,
                    shutdownGracePeriod: Duration = .seconds(10), shutdownSignals: [UnixSignal] = [.sigterm, .sigint]) {
            self.name = name
            self.host = host
            self.port = port
            self.metricsPort = metricsPort
            self.shutdownGracePeriod = shutdownGracePeriod
            self.shutdownSignals = shutdownSignals
            self.metricsRegistry = nil
            self.logsCalls = true
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
    /// Every call goes through a metrics interceptor (`rpc_server_calls_total` by method and
    /// status, `rpc_server_duration` histogram, `rpc_server_active_calls`) and, unless
    /// ``Configuration/logsCalls`` is off, a logging interceptor (request ids), before
    /// `interceptors`. With ``Configuration/metricsPort`` set, a ``MetricsEndpoint`` serves
    /// `/metrics` and `METRICS <port>` is printed before `LISTENING`.
    ///
    /// - Parameters:
    ///   - onListening: called with the bound gRPC port once listening (after the line is printed).
    ///   - onMetricsListening: called with the bound metrics port, when there is an endpoint.
    public func run(router: RPCRouter, health: HealthStatusRegistry = HealthStatusRegistry(),
                    background: [any Service] = [], interceptors: [any ServerInterceptor] = [],
                    onListening: @escaping @Sendable (Int) -> Void = { _ in },
                    onMetricsListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        var router = router
        router.registerStandardServices(health: health)
        let registry = configuration.metricsRegistry ?? Self.metricsRegistry
        var chain: [any ServerInterceptor] = [
            MetricsServerInterceptor(prefix: "rpc_server", factory: PrometheusMetricsFactory(registry: registry)),
        ]
        if configuration.logsCalls { chain.append(LoggingServerInterceptor()) }
        let server = GRPCServer(
            configuration: GRPCServer.Configuration(host: configuration.host, port: configuration.port,
                                                    shutdownGracePeriod: configuration.shutdownGracePeriod),
            router: router, interceptors: chain + interceptors, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = background.map { .init(service: $0) }
        let metricsEndpoint = configuration.metricsPort.map {
            MetricsEndpoint(host: configuration.host, port: $0, registry: registry, logger: logger)
        }
        // First in the group, so it is shut down last: scrapes still work while calls drain.
        if let metricsEndpoint { services.insert(.init(service: metricsEndpoint), at: 0) }
        services.append(.init(service: server))
        services.append(.init(service: HealthShutdownService(health: health), successTerminationBehavior: .ignore))
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: configuration.shutdownSignals, logger: logger))
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            if let metricsEndpoint {
                let metricsPort = try await metricsEndpoint.listeningPort
                print("METRICS \(metricsPort)")
                fflush(nil)
                onMetricsListening(metricsPort)
            }
            let port = try await server.listeningPort
            print("LISTENING \(port)")
            fflush(nil)
            logger.notice("serving", metadata: ["service": "\(configuration.name)", "port": "\(port)"])
            onListening(port)
        }
    }
}
