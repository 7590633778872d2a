/// The command line that starts one service process.
public struct ServiceCommand: Sendable, Hashable {
    /// The program to run (an absolute path).
    public var executable: String
    /// Its arguments, without the program name.
    public var arguments: [String]
    /// Variables added to (or replacing in) the supervisor's environment.
    public var environment: [String: String]

    /// Creates a command.
    public init(executable: String, arguments: [String], environment: [String: String] = [:]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }
}

/// What a cluster decided before spawning anything: ports, server URLs, secrets. Used to build
/// each service's command line.
public struct ClusterPlan: Sendable {
    /// The cluster name: database prefix and Redis key prefix.
    public var name: String
    /// The `boxoffice` executable.
    public var executable: String
    /// The gRPC port of every service.
    public var ports: [ClusterService: Int]
    /// The PostgreSQL superuser URL (database `postgres`).
    public var postgresURL: String
    /// The Redis URL.
    public var redisURL: String
    /// `redis` or `postgres` hold store for inventory.
    public var store: String
    /// HMAC secret for booking's admission tokens.
    public var admissionSecret: String
    /// HMAC secret for provider-sim → payment webhooks.
    public var webhookSecret: String
    /// The URL of each service's own database.
    public var databaseURLs: [ClusterService: String]
    /// Whether each service serves `/metrics` (on a port of its choosing, `--metrics-port 0`).
    public var servesMetrics: Bool

    /// `127.0.0.1:<port>` of `service`.
    public func address(_ service: ClusterService) -> String { "127.0.0.1:\(ports[service] ?? 0)" }

    /// The contract's `boxoffice serve <service> …` command line for `service`; the secrets are
    /// passed as `BOXOFFICE_ADMISSION_SECRET` / `BOXOFFICE_WEBHOOK_SECRET`.
    public func defaultCommand(for service: ClusterService) -> ServiceCommand {
        var arguments = ["serve", service.name, "--host", "127.0.0.1", "--port", "\(ports[service] ?? 0)"]
        if servesMetrics { arguments += ["--metrics-port", "0"] }
        switch service {
        case .inventory:
            arguments += ["--pg-url", databaseURLs[service] ?? postgresURL, "--redis-url", redisURL,
                          "--redis-prefix", "\(name):", "--store", store, "--sweep-interval-ms", "1000"]
        case .booking:
            arguments += ["--pg-url", databaseURLs[service] ?? postgresURL, "--redis-url", redisURL,
                          "--redis-prefix", "\(name):", "--inventory", address(.inventory), "--payment", address(.payment)]
        case .payment:
            arguments += ["--pg-url", databaseURLs[service] ?? postgresURL, "--provider", address(.providerSimulator),
                          "--booking", address(.booking)]
        case .providerSimulator:
            arguments += ["--webhook-target", address(.payment)]
        }
        // Secrets go by environment (the flags' documented fallback), so `ps` does not show them.
        var environment: [String: String] = [:]
        switch service {
        case .booking: environment["BOXOFFICE_ADMISSION_SECRET"] = admissionSecret
        case .payment, .providerSimulator: environment["BOXOFFICE_WEBHOOK_SECRET"] = webhookSecret
        case .inventory: break
        }
        return ServiceCommand(executable: executable, arguments: arguments, environment: environment)
    }
}
