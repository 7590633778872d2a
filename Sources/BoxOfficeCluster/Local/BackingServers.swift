internal import Foundation
import BoxOfficeHarness
import Logging

/// The PostgreSQL and Redis a cluster uses: given by URL, or started from the Debian binaries in
/// the data folder (and then stopped with the cluster).
struct BackingServers: Sendable {
    var postgresURL: String
    var redisURL: String
    var postgres: PostgresServer?
    var redis: RedisServer?

    /// Checks the binaries it would need, before anything starts.
    static func checkBinaries(_ configuration: LocalCluster.Configuration) throws {
        let files = FileManager.default
        let postgresBinDirectory = configuration.postgresBinDirectory
        let redisExecutable = configuration.redisExecutable
        if configuration.postgresURL == nil {
            for tool in ["initdb", "pg_ctl", "postgres"] where !files.isExecutableFile(atPath: "\(postgresBinDirectory)/\(tool)") {
                throw ClusterError.missingPackage(binary: "\(postgresBinDirectory)/\(tool)", package: "postgresql-15 (apt-get install postgresql)")
            }
        }
        if configuration.redisURL == nil, !files.isExecutableFile(atPath: redisExecutable) {
            throw ClusterError.missingPackage(binary: redisExecutable, package: "redis-server (apt-get install redis-server)")
        }
    }

    /// Starts what has no URL; on failure stops whatever it started and throws with the log's tail.
    static func start(_ configuration: LocalCluster.Configuration, dataDirectory: String, logger: Logger) async throws -> BackingServers {
        var postgres: PostgresServer?
        if configuration.postgresURL == nil {
            let directory = dataDirectory + "/postgres"
            do {
                postgres = try await PostgresServer.start(
                    PostgresServer.Options(directory: directory, binDirectory: configuration.postgresBinDirectory), logger: logger)
            } catch {
                throw ClusterError.backingServerFailed(
                    server: "PostgreSQL (data in \(directory))", detail: "\(error)",
                    logTail: ServiceLogScanner.tail(directory + "/server.log"))
            }
        }
        var redis: RedisServer?
        if configuration.redisURL == nil {
            let directory = dataDirectory + "/redis"
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                redis = try await RedisServer.start(RedisServer.Options(directory: directory, executable: configuration.redisExecutable), logger: logger)
            } catch {
                try? await postgres?.stop(mode: .fast)
                throw ClusterError.backingServerFailed(
                    server: "Redis (data in \(directory))", detail: "\(error)",
                    logTail: ServiceLogScanner.tail(directory + "/redis.log"))
            }
        }
        return BackingServers(postgresURL: configuration.postgresURL ?? postgres!.url(), redisURL: configuration.redisURL ?? redis!.url,
                              postgres: postgres, redis: redis)
    }

    /// Stops the servers this cluster started.
    func stop(logger: Logger) async {
        if let redis { await redis.stop() }
        if let postgres {
            do {
                try await postgres.stop(mode: .fast)
            } catch {
                logger.warning("postgres did not stop cleanly", metadata: ["error": "\(error)"])
            }
        }
    }
}
