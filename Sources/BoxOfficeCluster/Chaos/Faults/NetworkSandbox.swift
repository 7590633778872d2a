import Foundation

/// The network namespace a chaos run with network faults lives in, and the nftables rules that cut
/// links inside it.
///
/// Everything of the run (PostgreSQL, Redis, the four services and the crowd) talks over the
/// namespace's own loopback, so the rules never touch the machine's network or anyone else's tests.
/// `boxoffice chaos` creates the namespace (``create(name:)``), runs itself again inside it with
/// ``environmentKey`` set, and deletes it afterwards (``delete(name:)``).
public enum NetworkSandbox {
    /// Set (to the namespace's name) in the process running inside the namespace.
    public static let environmentKey = "BOXOFFICE_CHAOS_NETNS"
    static let ip = "/usr/sbin/ip"
    static let nft = "/usr/sbin/nft"
    static let table = "boxoffice_chaos"

    /// The namespace this process runs in, if `boxoffice chaos` put it there.
    public static var currentNamespace: String? {
        ProcessInfo.processInfo.environment[environmentKey].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Checks that network faults can be made here, before anything starts.
    /// - Throws: ``ChaosError/missingPrivileges(_:)`` saying what is missing.
    public static func checkPrivileges() throws(ChaosError) {
        let files = FileManager.default
        for (tool, package) in [(ip, "iproute2"), (nft, "nftables")] where !files.isExecutableFile(atPath: tool) {
            throw .missingPrivileges("\(tool) is missing: apt-get install \(package), or leave out the blackhole:/loss: faults")
        }
        guard geteuid() == 0 else {
            throw .missingPrivileges("network namespaces and nftables need root (CAP_SYS_ADMIN and CAP_NET_ADMIN); "
                                     + "run as root, or leave out the blackhole:/loss: faults")
        }
    }

    /// Creates namespace `name` with its loopback up.
    /// - Throws: ``ChaosError/missingPrivileges(_:)`` when the kernel refuses (no CAP_SYS_ADMIN, in a container without it).
    public static func create(name: String) async throws {
        do {
            try await ExternalCommand.run(ip, ["netns", "add", name])
        } catch {
            throw ChaosError.missingPrivileges("could not create network namespace \(name): \(error)")
        }
        do {
            try await ExternalCommand.run(ip, ["-n", name, "link", "set", "lo", "up"])
        } catch {
            await delete(name: name)
            throw ChaosError.missingPrivileges("could not bring up loopback in namespace \(name): \(error)")
        }
    }

    /// Deletes namespace `name` (and with it every rule in it); quiet when it is already gone.
    public static func delete(name: String) async {
        _ = try? await ExternalCommand.run(ip, ["netns", "delete", name])
    }

    /// `ip netns exec NAME` prefix for running a command inside namespace `name`.
    public static func execPrefix(name: String) -> [String] { [ip, "netns", "exec", name] }

    /// Creates the run's nftables table and output chain (inside the namespace only).
    static func prepareRules() async throws {
        try requireNamespace()
        try await ExternalCommand.run(nft, ["add", "table", "inet", table])
        try await ExternalCommand.run(nft, ["add", "chain", "inet", table, "output", "{ type filter hook output priority 0 ; policy accept ; }"])
    }

    /// Drops `percent` of the packets to and from `port` (100: a blackhole). Loopback packets all pass
    /// the output hook, so both directions are cut.
    static func cut(port: Int, percent: Int) async throws {
        try requireNamespace()
        let share = percent >= 100 ? [] : ["numgen", "random", "mod", "100", "<", String(percent)]
        for direction in ["dport", "sport"] {
            try await ExternalCommand.run(nft, ["add", "rule", "inet", table, "output", "tcp", direction, String(port)] + share + ["drop"])
        }
    }

    /// Removes every cut.
    static func restore() async throws {
        try requireNamespace()
        try await ExternalCommand.run(nft, ["flush", "chain", "inet", table, "output"])
    }

    /// Rules are only ever written inside the run's own namespace, never into the machine's.
    private static func requireNamespace() throws {
        guard currentNamespace != nil else {
            throw ChaosError.missingPrivileges("network faults only run inside the namespace `boxoffice chaos` creates (\(environmentKey) unset)")
        }
    }
}
