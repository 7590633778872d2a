import ArgumentParser
import Foundation

/// Reads the environment fallback of a flag: `--foo-bar` falls back to `BOXOFFICE_FOO_BAR`.
///
/// Used for option defaults, so `--help` shows the value in effect.
func environmentDefault(_ flag: String) -> String? {
    let name = "BOXOFFICE_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
    return ProcessInfo.processInfo.environment[name]
}

/// The options every `boxoffice serve …` command takes.
struct ServeOptions: ParsableArguments {
    @Option(help: "The address to bind (env BOXOFFICE_HOST).")
    var host = environmentDefault("host") ?? "127.0.0.1"

    @Option(help: "The gRPC port; 0 picks a free one (env BOXOFFICE_PORT).")
    var port: Int?

    @Option(help: "The Prometheus /metrics HTTP port; 0 picks a free one, omitted serves none (env BOXOFFICE_METRICS_PORT).")
    var metricsPort: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env BOXOFFICE_LOG_LEVEL).")
    var logLevel = environmentDefault("log-level") ?? "info"

    @Option(help: "Log format: json or text (env BOXOFFICE_LOG_FORMAT).")
    var logFormat = environmentDefault("log-format") ?? "json"

    @Option(help: "Seconds in-flight calls may drain after SIGTERM (env BOXOFFICE_SHUTDOWN_GRACE).")
    var shutdownGrace: Int = environmentDefault("shutdown-grace").flatMap { Int($0) } ?? 10

    /// The gRPC port: the flag, else `BOXOFFICE_PORT`, else the service's default.
    func port(default servicePort: Int) -> Int {
        port ?? environmentDefault("port").flatMap { Int($0) } ?? servicePort
    }

    /// The metrics port: the flag, else `BOXOFFICE_METRICS_PORT`, else none.
    var metricsPortInEffect: Int? {
        metricsPort ?? environmentDefault("metrics-port").flatMap { Int($0) }
    }

    func validate() throws {
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw ValidationError("unknown log level '\(logLevel)'")
        }
        guard ["json", "text"].contains(logFormat) else { throw ValidationError("--log-format must be json or text") }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0-65535, got \(port)") }
        if let metricsPort, !(0...65535).contains(metricsPort) {
            throw ValidationError("--metrics-port must be 0-65535, got \(metricsPort)")
        }
    }
}
