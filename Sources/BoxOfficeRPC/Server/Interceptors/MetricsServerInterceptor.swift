public import Metrics

/// Records per-method call counts by status code and latency histograms (swift-metrics).
///
/// - `rpc_server_calls_total` counter, dimensions `rpc_method` and `rpc_status`;
/// - `rpc_server_duration` timer (a histogram in Prometheus), dimension `rpc_method`;
/// - `rpc_server_active_calls` meter, dimension `rpc_method`.
/// They go to `factory`, by default the backend the process bootstrapped (`MetricsSystem`).
public struct MetricsServerInterceptor: ServerInterceptor {
    /// Prefix of every metric label, e.g. the service name.
    public var prefix: String
    private let factory: (any MetricsFactory)?

    /// Creates the interceptor; labels start with `prefix` (default `rpc_server`). Pass a
    /// `factory` to record somewhere other than the bootstrapped metrics system.
    public init(prefix: String = "rpc_server", factory: (any MetricsFactory)? = nil) {
        self.prefix = prefix
        self.factory = factory
    }

    public func intercept<Result: Sendable>(
        context: ServerContext, next: @Sendable (ServerContext) async throws -> Result
    ) async throws -> Result {
        let method = [("rpc_method", context.path)]
        let active = Meter(label: "\(prefix)_active_calls", dimensions: method, factory: factory ?? MetricsSystem.factory)
        active.increment()
        let started = ContinuousClock.now
        defer { active.decrement() }
        do {
            let result = try await next(context)
            record(path: context.path, code: .ok, elapsed: ContinuousClock.now - started)
            return result
        } catch {
            record(path: context.path, code: Self.status(for: error).code, elapsed: ContinuousClock.now - started)
            throw error
        }
    }

    private func record(path: String, code: RPCError.Code, elapsed: Duration) {
        let factory = self.factory ?? MetricsSystem.factory
        Counter(label: "\(prefix)_calls_total", dimensions: [("rpc_method", path), ("rpc_status", "\(code)")], factory: factory)
            .increment()
        let (seconds, attoseconds) = elapsed.components
        Timer(label: "\(prefix)_duration", dimensions: [("rpc_method", path)], factory: factory)
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
