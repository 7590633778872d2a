/// Everything a chaos run needs: the drop, the faults, the cluster and how long to wait for convergence.
public struct ChaosConfiguration: Sendable {
    /// The crowd (its checkout mix gains the provider troubles of the schedule).
    public var drop: DropConfiguration
    /// What to break and when.
    public var schedule: FaultSchedule
    /// The cluster's data folder (PostgreSQL, Redis, logs, the history file).
    public var dataDirectory: String
    /// The cluster's name: databases `NAME_inventory`…, Redis prefix `NAME:`.
    public var name = "chaos"
    /// The inventory hold store, `redis` or `postgres`.
    public var store = "redis"
    /// An existing PostgreSQL / Redis to use instead of starting them; faults that stop or wipe them are refused.
    public var postgresURL: String?
    /// An existing Redis to use instead of starting one; faults that stop or wipe it are refused.
    public var redisURL: String?
    /// The `boxoffice` executable the services run as (nil: next to this one).
    public var executable: String?
    /// Packets a `loss:` fault drops, percent.
    public var lossPercent = 30
    /// How long to wait after the drop for sagas, payments and holds to settle before the final check.
    public var convergeTimeout: Duration = .seconds(90)
    /// The recovery goal: holds served again this soon after each fault.
    public var recoveryGoal: Duration = .seconds(10)
    /// The client history file (default `<data>/history.jsonl`).
    public var historyPath: String?
    /// Whether the process already runs inside the namespace made for network faults.
    public var insideNetworkNamespace = NetworkSandbox.currentNamespace != nil

    /// Creates a value from its fields.
    public init(drop: DropConfiguration, schedule: FaultSchedule, dataDirectory: String) {
        self.drop = drop
        self.schedule = schedule
        self.dataDirectory = dataDirectory
    }

    /// The checks the final audit applies.
    public var policy: CheckPolicy {
        CheckPolicy(sweepIntervalMilliseconds: 1000, toleranceMilliseconds: 2000, checksHotStore: store == "redis")
    }

    /// Checks everything that can be checked before anything starts, and makes the plan.
    /// - Throws: ``ChaosError`` (unknown or impossible faults, a schedule longer than the drop, missing
    ///   privileges for network faults) or ``DropConfigurationError`` for bad drop settings.
    public func validate() throws -> FaultPlan {
        try drop.validate()
        guard (1...99).contains(lossPercent) else { throw ChaosError.invalidSchedule("--loss-percent must be 1-99, got \(lossPercent)") }
        guard convergeTimeout > .zero else { throw ChaosError.invalidSchedule("--converge-timeout must be positive") }
        guard ["redis", "postgres"].contains(store) else { throw ChaosError.invalidSchedule("--store must be redis or postgres, got '\(store)'") }
        let plan = try schedule.plan()
        let kinds = schedule.faults
        if postgresURL != nil, let fault = kinds.first(where: \.touchesPostgres) {
            throw ChaosError.invalidSchedule("\(fault) stops PostgreSQL, which is only done to a server the run starts itself: drop --pg-url")
        }
        if redisURL != nil, let fault = kinds.first(where: \.touchesRedis) {
            throw ChaosError.invalidSchedule("\(fault) stops or wipes Redis, which is only done to a server the run starts itself: drop --redis-url")
        }
        if kinds.contains(where: \.needsNetworkNamespace) {
            if postgresURL != nil || redisURL != nil {
                throw ChaosError.invalidSchedule("network faults run the whole cluster in a network namespace of its own, "
                                                 + "where outside servers are unreachable: drop --pg-url / --redis-url")
            }
            try NetworkSandbox.checkPrivileges()
        }
        return plan
    }

    /// The drop's configuration with the schedule's provider troubles added to its checkout mix.
    var dropWithTroubles: DropConfiguration {
        var drop = drop
        let troubles = schedule.faults.compactMap { fault -> ProviderTrouble? in
            if case .provider(let trouble) = fault { return trouble }
            return nil
        }
        guard !troubles.isEmpty else { return drop }
        var entries = drop.checkoutMix.choices.entries
        for trouble in Set(troubles) {
            for (token, weight) in trouble.extraTokens {
                if let index = entries.firstIndex(where: { $0.choice == .pay(token: token) }) {
                    entries[index].weight += weight
                } else {
                    entries.append(.init(.pay(token: token), weight: weight))
                }
            }
        }
        drop.checkoutMix = CheckoutMix(choices: WeightedChoices(entries))
        return drop
    }
}

extension ChaosConfiguration {
    /// The checkout mix the drop runs with: the given one plus the schedule's provider troubles.
    public var effectiveCheckoutMix: CheckoutMix { dropWithTroubles.checkoutMix }
}
