public import BoxOfficeHarness
import Foundation
public import Logging

/// The PostgreSQL and Redis a chaos run starts in its data folder, so it may stop and wipe them.
public struct ChaosServers: Sendable {
    /// The run's PostgreSQL.
    public let postgres: PostgresServer
    /// The run's Redis.
    public let redis: RedisServer

    /// Starts both in `dataDirectory/postgres` and `dataDirectory/redis`; Redis with an append-only
    /// file, so `redis-restart` keeps its data and only `redis-wipe` loses it.
    public static func start(dataDirectory: String, logger: Logger) async throws -> ChaosServers {
        let postgres = try await PostgresServer.start(
            PostgresServer.Options(directory: dataDirectory + "/postgres", binDirectory: "/usr/lib/postgresql/15/bin"), logger: logger)
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory + "/redis", withIntermediateDirectories: true)
            let redis = try await RedisServer.start(
                RedisServer.Options(directory: dataDirectory + "/redis", appendOnly: true), logger: logger)
            return ChaosServers(postgres: postgres, redis: redis)
        } catch {
            try? await postgres.stop(mode: .fast)
            throw error
        }
    }

    /// Stops both (also when a fault left one stopped or paused).
    public func stop() async {
        await redis.stop()
        try? await postgres.stop(mode: .fast)
    }
}
