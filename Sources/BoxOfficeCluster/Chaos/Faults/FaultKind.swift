/// One kind of fault `boxoffice chaos` can inject, named as on its command line (`kill:booking`,
/// `postgres-restart`, `blackhole:booking-inventory`, …).
public enum FaultKind: Sendable, Hashable, CustomStringConvertible {
    /// SIGKILL the service's process; the cluster's supervisor starts it again.
    case kill(ClusterService)
    /// SIGSTOP the service for the fault's duration (past call deadlines), then SIGCONT.
    case pause(ClusterService)
    /// `pg_ctl stop -m immediate`, then start again after the fault's duration.
    case postgresRestart
    /// `FLUSHALL`: Redis loses every key at once, while running.
    case redisFlush
    /// Redis stops and starts again with its data (after the fault's duration).
    case redisRestart
    /// Redis is killed and starts again without its data files.
    case redisWipe
    /// Every packet to the callee's port dropped for the fault's duration (nftables, in the run's namespace).
    case blackhole(NetworkLink)
    /// A share of the packets to the callee's port dropped for the fault's duration.
    case packetLoss(NetworkLink)
    /// Payment-provider trouble for the whole run, through the simulator's test tokens.
    case provider(ProviderTrouble)

    /// The command-line name.
    public var description: String {
        switch self {
        case .kill(let service): "kill:\(service.name)"
        case .pause(let service): "pause:\(service.name)"
        case .postgresRestart: "postgres-restart"
        case .redisFlush: "redis-flushall"
        case .redisRestart: "redis-restart"
        case .redisWipe: "redis-wipe"
        case .blackhole(let link): "blackhole:\(link)"
        case .packetLoss(let link): "loss:\(link)"
        case .provider(let trouble): "provider-\(trouble.rawValue)"
        }
    }

    /// The name of every fault, for `--faults all` and for error messages.
    public static let all: [FaultKind] =
        ClusterService.allCases.map { .kill($0) } + ClusterService.allCases.map { .pause($0) }
        + [.postgresRestart, .redisFlush, .redisRestart, .redisWipe]
        + NetworkLink.all.map { .blackhole($0) } + NetworkLink.all.map { .packetLoss($0) }
        + ProviderTrouble.allCases.map { .provider($0) }

    /// Parses a command-line name; nil for an unknown one.
    public init?(name: String) {
        guard let kind = Self.all.first(where: { $0.description == name }) else { return nil }
        self = kind
    }

    /// A timed fault lasts a while and then ends (its end is when recovery starts being measured).
    /// Kill, FLUSHALL and the provider troubles have no duration of their own.
    public var lasts: Bool {
        switch self {
        case .pause, .postgresRestart, .redisRestart, .redisWipe, .blackhole, .packetLoss: true
        case .kill, .redisFlush, .provider: false
        }
    }

    /// Provider troubles shape the whole drop's checkout mix instead of happening at one moment.
    public var isWholeRun: Bool {
        if case .provider = self { return true }
        return false
    }

    /// Needs nftables inside a network namespace of its own.
    public var needsNetworkNamespace: Bool {
        switch self {
        case .blackhole, .packetLoss: true
        default: false
        }
    }

    /// Stops or wipes PostgreSQL or Redis: only allowed on servers the chaos run started itself.
    public var touchesPostgres: Bool { self == .postgresRestart }
    /// Stops or wipes Redis.
    public var touchesRedis: Bool { self == .redisFlush || self == .redisRestart || self == .redisWipe }
}

/// A caller → callee edge of the cluster that a network fault cuts. The rule matches the callee's
/// port, so the callee is cut off from everyone calling it; each edge listed here is one whose callee
/// has essentially no other caller during a drop.
public struct NetworkLink: Sendable, Hashable, CustomStringConvertible {
    /// The service whose calls are cut.
    public var caller: ClusterService
    /// The service whose port is cut.
    public var callee: ClusterService

    /// booking → inventory, booking → payment, payment → provider-sim.
    public static let all: [NetworkLink] = [
        NetworkLink(caller: .booking, callee: .inventory),
        NetworkLink(caller: .booking, callee: .payment),
        NetworkLink(caller: .payment, callee: .providerSimulator),
    ]

    /// `caller-callee`, e.g. `booking-inventory`.
    public var description: String { "\(caller.name)-\(callee.name)" }
}

/// Payment-provider trouble, made with the simulator's test tokens.
public enum ProviderTrouble: String, Sendable, Hashable, CaseIterable {
    /// Many charges answer after the payment service's timeout (charged or not).
    case timeouts
    /// Many webhooks never arrive, arrive late, twice or out of order.
    case webhooks

    /// The checkout mix for a drop with this trouble: the standard shares plus a heavy dose of the tokens.
    var extraTokens: [(token: String, weight: Int)] {
        switch self {
        case .timeouts: [("tok_timeout_charge", 12), ("tok_timeout_no_charge", 8)]
        case .webhooks: [("tok_webhook_lost", 12), ("tok_webhook_delayed", 4), ("tok_webhook_twice", 4), ("tok_webhook_out_of_order", 4)]
        }
    }
}
