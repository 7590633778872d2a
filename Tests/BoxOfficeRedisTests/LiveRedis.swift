import BoxOfficeHarness
import BoxOfficeRedis

/// Helpers for tests against real servers: the shared one (keys under a unique prefix) or one of
/// the test's own.
enum LiveRedis {
    /// Runs `body` with a client on the shared server and a key prefix no other test uses.
    static func withSharedClient<Result>(
        connections: Int = 2,
        _ body: (RedisClient, String) async throws -> Result
    ) async throws -> Result {
        let configuration = try await RedisTestEnvironment.sharedConfiguration()
        let client = try await RedisClient.connect(configuration: configuration, connectionCount: connections)
        let prefix = RedisTestEnvironment.uniqueKeyPrefix()
        do {
            let result = try await body(client, prefix)
            try await cleanUp(prefix, client)
            await client.close()
            return result
        } catch {
            try? await cleanUp(prefix, client)
            await client.close()
            throw error
        }
    }

    /// Runs `body` with a throwaway `redis-server` of the test's own, stopped afterwards.
    static func withOwnServer<Result>(
        _ options: RedisServer.Options = RedisServer.Options(),
        _ body: (RedisServer) async throws -> Result
    ) async throws -> Result {
        let server = try await RedisServer.start(options)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    private static func cleanUp(_ prefix: String, _ client: RedisClient) async throws {
        let pattern = prefix.replacingOccurrences(of: "{", with: "\\{").replacingOccurrences(of: "}", with: "\\}") + "*"
        let keys = try await client.scanAll(matching: pattern)
        if !keys.isEmpty { try await client.delete(keys) }
    }
}

struct TestTimeout: Error, CustomStringConvertible {
    var seconds: Int
    var description: String { "test step did not finish within \(seconds) s" }
}

/// Runs `body`, cancelling it and throwing ``TestTimeout`` when it takes longer than `seconds`.
func withTimeout<Result: Sendable>(seconds: Int, _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else { throw TestTimeout(seconds: seconds) }
        return result
    }
}
