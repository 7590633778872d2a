import BoxOfficeHarness
import BoxOfficeRedis
import Foundation
import Logging

/// Faults on a ``LocalCluster`` and on the PostgreSQL and Redis servers the chaos run started.
///
/// Stopping or wiping a server is only done on servers the run owns (``ChaosServers``): the schedule
/// refuses those faults otherwise, so a shared development server is never touched.
struct ClusterFaultInjector: FaultInjector {
    let cluster: LocalCluster
    let servers: ChaosServers?
    /// Packets dropped by a `loss:` fault, percent.
    let lossPercent: Int
    let logger: Logger

    func begin(_ fault: FaultKind) async throws {
        switch fault {
        case .kill(let service):
            try cluster.kill(service, signal: SIGKILL)
        case .pause(let service):
            try cluster.kill(service, signal: SIGSTOP)
        case .postgresRestart:
            try await requireServers(fault).postgres.stop(mode: .immediate)
        case .redisFlush:
            let redis = try requireServers(fault).redis
            let client = try await RedisClient.connect(configuration: redis.configuration, connectionCount: 1, logger: logger)
            do {
                try await client.flushAll()
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        case .redisRestart:
            try await requireServers(fault).redis.stopKeepingFiles()
        case .redisWipe:
            let redis = try requireServers(fault).redis
            await redis.kill()
            let files = FileManager.default
            for file in (try? files.contentsOfDirectory(atPath: redis.directory)) ?? []
            where file.hasSuffix(".rdb") || file.hasSuffix(".aof") || file == "appendonlydir" {
                try? files.removeItem(atPath: redis.directory + "/" + file)
            }
        case .blackhole(let link):
            try await NetworkSandbox.cut(port: try port(of: link.callee), percent: 100)
        case .packetLoss(let link):
            try await NetworkSandbox.cut(port: try port(of: link.callee), percent: lossPercent)
        case .provider:
            break  // Shapes the drop's checkout mix instead.
        }
    }

    func end(_ fault: FaultKind) async throws {
        switch fault {
        case .pause(let service):
            try cluster.kill(service, signal: SIGCONT)
        case .postgresRestart:
            try await requireServers(fault).postgres.startAgain()
        case .redisRestart, .redisWipe:
            try await requireServers(fault).redis.restart()
        case .blackhole, .packetLoss:
            try await NetworkSandbox.restore()
        case .kill, .redisFlush, .provider:
            break
        }
    }

    private func requireServers(_ fault: FaultKind) throws -> ChaosServers {
        guard let servers else {
            throw ChaosError.faultFailed(fault: fault.description, detail: "the chaos run did not start PostgreSQL and Redis itself")
        }
        return servers
    }

    private func port(of service: ClusterService) throws -> Int {
        guard let endpoint = cluster.endpoints[service] else { throw ClusterError.unknownService(service) }
        return endpoint.port
    }
}
