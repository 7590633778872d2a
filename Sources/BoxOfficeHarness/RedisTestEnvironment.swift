internal import Foundation
public import BoxOfficeRedis
internal import BoxOfficeLocks

/// The Redis server tests share, and key prefixes that keep parallel tests apart on it.
///
/// Uses `BOXOFFICE_REDIS_URL` when set (CI and `Scripts/dev-servers.sh` set it); otherwise starts
/// one throwaway `redis-server` per test process on first use and stops it when the process exits.
/// Tests must never FLUSHALL or stop the shared server: they write only under their own
/// ``uniqueKeyPrefix(_:)``. Tests that restart or protect a server start their own ``RedisServer``.
public enum RedisTestEnvironment {
    /// The shared server's configuration.
    public static func sharedConfiguration() async throws -> RedisConfiguration {
        if let url = ProcessInfo.processInfo.environment["BOXOFFICE_REDIS_URL"], !url.isEmpty {
            return try RedisConfiguration(url: url)
        }
        return try await sharedServer.value.configuration
    }

    /// The shared server's URL (`BOXOFFICE_REDIS_URL`, or the throwaway server's).
    public static func sharedURL() async throws -> String {
        if let url = ProcessInfo.processInfo.environment["BOXOFFICE_REDIS_URL"], !url.isEmpty { return url }
        return try await sharedServer.value.url
    }

    /// A fresh key prefix with a hash tag, e.g. `{t:6F1C…}:`, so every key of one test maps to one
    /// cluster slot and no two tests share keys.
    public static func uniqueKeyPrefix(_ label: String = "t") -> String {
        "{\(label):\(UUID().uuidString)}:"
    }

    private static let sharedServer = Task<RedisServer, any Error> {
        let server = try await RedisServer.start()
        if let pid = server.processIdentifier {
            startedServerProcess.withLock { $0 = pid }
            // SIGKILL: a throwaway server, and SIGTERM may be blocked in the child (see RedisServer.stop).
            atexit {
                if let pid = RedisTestEnvironment.startedServerProcess.withLock({ $0 }) { kill(pid, SIGKILL) }
            }
        }
        return server
    }

    private static let startedServerProcess = AnnotatedMutex<Int32?>(nil)
}
