public import Logging
internal import Metrics
public import Prometheus
internal import Synchronization

/// The log line formats a service process can write.
public enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line (``JSONLogHandler``): for collectors.
    case json
    /// swift-log's plain text lines: for people at a terminal.
    case text
}

extension ServiceHost {
    /// The Prometheus registry behind the process's swift-metrics backend (bootstrapped by
    /// ``bootstrapMetrics()``) and served by the metrics endpoint.
    public static let metricsRegistry = PrometheusCollectorRegistry()

    private static let bootstrapped = Mutex<(logging: Bool, metrics: Bool)>((false, false))

    /// Makes every `Logger` of the process write `format` to standard error at `level` or above.
    ///
    /// Call first thing in a `serve` command. Only the first call in a process takes effect
    /// (swift-log allows one bootstrap), so tests may call it freely.
    public static func bootstrapLogging(format: LogFormat, level: Logger.Level) {
        let first = bootstrapped.withLock { state in
            defer { state.logging = true }
            return !state.logging
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler
            switch format {
            case .json: handler = JSONLogHandler(label: label)
            case .text: handler = StreamLogHandler.standardError(label: label)
            }
            handler.logLevel = level
            return handler
        }
    }

    /// Makes ``metricsRegistry`` the process's swift-metrics backend, so every `Counter`, `Timer`,
    /// `Meter` and `Recorder` shows up on `/metrics`. Only the first call in a process takes effect.
    public static func bootstrapMetrics() {
        let first = bootstrapped.withLock { state in
            defer { state.metrics = true }
            return !state.metrics
        }
        guard first else { return }
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metricsRegistry))
    }
}
