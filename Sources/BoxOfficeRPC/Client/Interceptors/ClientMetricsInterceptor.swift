public import Metrics

/// Records per-method call counts by status code and call latency through swift-metrics.
///
/// Metrics: `rpc_client_calls_total` (counter; dimensions `rpc_method`, `rpc_code`) and
/// `rpc_client_call_duration` (timer; dimensions `rpc_method`, `rpc_code`). The duration covers the
/// whole call, including the caller's handling of a streamed response.
public struct ClientMetricsInterceptor: ClientInterceptor {
    private let factory: any MetricsFactory

    /// Creates the interceptor; metrics go to `factory` (the bootstrapped global one by default).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    public func intercept<Result: Sendable>(
        context: ClientInterceptorContext,
        next: (ClientInterceptorContext) async throws -> Result
    ) async throws -> Result {
        let start = ContinuousClock.now
        do {
            let result = try await next(context)
            record(context: context, code: .ok, elapsed: ContinuousClock.now - start)
            return result
        } catch {
            record(context: context, code: statusCode(of: error), elapsed: ContinuousClock.now - start)
            throw error
        }
    }

    private func record(context: ClientInterceptorContext, code: RPCError.Code, elapsed: Duration) {
        let dimensions = [("rpc_method", context.descriptor.path), ("rpc_code", "\(code)")]
        Counter(label: "rpc_client_calls_total", dimensions: dimensions, factory: factory).increment()
        let (seconds, attoseconds) = elapsed.components
        Timer(label: "rpc_client_call_duration", dimensions: dimensions, factory: factory)
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
