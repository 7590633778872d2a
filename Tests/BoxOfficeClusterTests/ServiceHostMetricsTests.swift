import BoxOfficeAPI
import BoxOfficeRPC
import BoxOfficeServiceKit
import BoxOfficeStandardServices
import Logging
import Prometheus
import Testing

@Suite struct ServiceHostMetricsTests {
    /// Runs a host in-process (no signals, its own registry) and gives `body` its gRPC and metrics ports.
    private func withHost(_ body: @Sendable (_ grpcPort: Int, _ metricsPort: Int) async throws -> Void) async throws {
        var configuration = ServiceHost.Configuration(name: "test", port: 0, metricsPort: 0,
                                                      shutdownGracePeriod: .seconds(1), shutdownSignals: [])
        configuration.metricsRegistry = PrometheusCollectorRegistry()
        let host = ServiceHost(configuration: configuration, logger: Logger(label: "test"))
        let (ports, continuation) = AsyncStream.makeStream(of: (String, Int).self)
        let running = Task {
            try await host.run(router: RPCRouter(), onListening: { continuation.yield(("grpc", $0)) },
                               onMetricsListening: { continuation.yield(("metrics", $0)) })
        }
        var found: [String: Int] = [:]
        for await (kind, port) in ports {
            found[kind] = port
            if found.count == 2 { break }
        }
        defer { running.cancel() }
        try await body(try #require(found["grpc"]), try #require(found["metrics"]))
        running.cancel()
        _ = await running.result
    }

    @Test func scrapeShowsTheCountOfARealCall() async throws {
        try await withHost { grpcPort, metricsPort in
            let channel = GRPCChannel(host: "127.0.0.1", port: grpcPort)
            let health = Grpc_Health_V1_Health.Client(wrapping: GRPCClient(channel: channel))
            let before = try await HTTPScrape.get(port: metricsPort, path: "/metrics")
            #expect(before.status == 200)
            #expect(!before.body.contains("rpc_server_calls_total{rpc_method=\"/grpc.health.v1.Health/Check\""))

            _ = try await health.check(Grpc_Health_V1_HealthCheckRequest())
            _ = try await health.check(Grpc_Health_V1_HealthCheckRequest())
            var unknown = Grpc_Health_V1_HealthCheckRequest()
            unknown.service = "no.such.Service"
            await #expect(throws: RPCError.self) { try await health.check(unknown) }
            await channel.close()

            let after = try await HTTPScrape.get(port: metricsPort, path: "/metrics")
            #expect(after.status == 200)
            let lines = after.body.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("rpc_server_calls_total{") && $0.contains("rpc_method=\"/grpc.health.v1.Health/Check\"")
                && $0.contains("rpc_status=\"ok\"") && $0.hasSuffix(" 2") })
            #expect(lines.contains { $0.hasPrefix("rpc_server_calls_total{") && $0.contains("rpc_status=\"notFound\"") && $0.hasSuffix(" 1") })
            #expect(lines.contains { $0.hasPrefix("rpc_server_duration_count{") && $0.contains("/grpc.health.v1.Health/Check") })
        }
    }

    @Test func otherPathsAreNotFound() async throws {
        try await withHost { _, metricsPort in
            let response = try await HTTPScrape.get(port: metricsPort, path: "/")
            #expect(response.status == 404)
            let nested = try await HTTPScrape.get(port: metricsPort, path: "/metrics/extra")
            #expect(nested.status == 404)
        }
    }
}
