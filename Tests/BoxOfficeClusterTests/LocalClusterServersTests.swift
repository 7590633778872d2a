import BoxOfficeCluster
import BoxOfficePostgres
import Foundation
import Logging
import Testing

@Suite struct LocalClusterServersTests {
    @Test func startsAndStopsItsOwnPostgresAndRedis() async throws {
        let events = EventLog()
        var configuration = try await StandIn.configuration("own", events: events)
        configuration.postgresURL = nil
        configuration.redisURL = nil
        configuration.services = [.inventory]
        let directory = configuration.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try await LocalCluster.start(configuration)
        #expect(cluster.startedPostgres && cluster.startedRedis)
        #expect(cluster.postgresURL.hasPrefix("postgresql://postgres@127.0.0.1:"))
        let connection = try await PostgresConnection.connect(
            configuration: PostgresConfiguration(url: try #require(cluster.databaseURL(of: .inventory))), logger: Logger(label: "test"))
        let rows = try await connection.query("SELECT current_database()")
        await connection.close()
        #expect(rows.count == 1)
        let postmaster = configuration.dataDirectory + "/postgres/postmaster.pid"
        #expect(FileManager.default.fileExists(atPath: postmaster))
        let redisPort = try #require(URLComponents(string: cluster.redisURL)?.port)

        await cluster.stop()
        #expect(!FileManager.default.fileExists(atPath: postmaster))
        #expect((try? ClusterPortsProbe.connect(port: redisPort)) == false)
    }
}

@Suite struct LocalClusterBadServersTests {
    @Test func aMissingDebianBinaryNamesThePackageAndStartsNothing() async throws {
        let events = EventLog()
        var configuration = try await StandIn.configuration("nobin", events: events)
        configuration.redisURL = nil
        configuration.redisExecutable = "/nonexistent/redis-server"
        try await StandIn.withCleanUp(configuration) {
            do {
                _ = try await LocalCluster.start(configuration)
                Issue.record("started without redis-server")
            } catch let error as ClusterError {
                #expect(error.description.contains("/nonexistent/redis-server was not found"))
                #expect(error.description.contains("redis-server"))
                #expect(error.description.contains("Scripts/install-deps.sh"))
            }
            #expect(events.all.isEmpty)
        }
    }

    @Test func aPostgresThatCannotStartShowsTheEndOfItsLog() async throws {
        let events = EventLog()
        var configuration = try await StandIn.configuration("badpg", events: events)
        configuration.postgresURL = nil
        try await StandIn.withCleanUp(configuration) {
            // A data folder that is not one: PG_VERSION but no configuration.
            let folder = configuration.dataDirectory + "/postgres"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try "9.6\n".write(toFile: folder + "/PG_VERSION", atomically: true, encoding: .utf8)
            if getuid() == 0 { _ = chown(folder, pwOwner("postgres"), pwGroup("postgres")) }
            do {
                _ = try await LocalCluster.start(configuration)
                Issue.record("started on an incompatible data folder")
            } catch let error as ClusterError {
                guard case .backingServerFailed(let server, _, let tail) = error else {
                    Issue.record("wrong error: \(error)")
                    return
                }
                #expect(server.contains("PostgreSQL"))
                // The server's own complaint, from its log.
                #expect(tail.contains("postgresql.conf"), "log tail: \(tail)")
            }
            #expect(events.all.isEmpty)
        }
    }
}

private func pwOwner(_ name: String) -> uid_t { getpwnam(name)?.pointee.pw_uid ?? 0 }
private func pwGroup(_ name: String) -> gid_t { getpwnam(name)?.pointee.pw_gid ?? 0 }

/// Whether something accepts connections on a loopback port.
enum ClusterPortsProbe {
    static func connect(port: Int) throws -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
