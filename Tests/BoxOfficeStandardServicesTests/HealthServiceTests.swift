import BoxOfficeAPI
import BoxOfficeRPC
import BoxOfficeStandardServices
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@Suite struct HealthServiceTests {
    typealias Health = Grpc_Health_V1_Health.Method

    private static func check(_ client: GRPCClient, _ service: String) async throws -> Grpc_Health_V1_HealthCheckResponse.ServingStatus {
        var request = Grpc_Health_V1_HealthCheckRequest()
        request.service = service
        return try await client.unary(request: ClientRequest(message: request), descriptor: Health.Check.descriptor,
                                      responseType: Grpc_Health_V1_HealthCheckResponse.self,
                                      options: CallOptions(timeout: .seconds(10))).message.status
    }

    @Test func checkReportsTheServerAndItsServices() async throws {
        try await withInteropServer { client, health in
            let server = try await Self.check(client, "")
            #expect(server == .serving)
            let before = try await Self.check(client, "grpc.testing.TestService")
            #expect(before == .serving)
            health.setStatus(.notServing, for: "grpc.testing.TestService")
            let after = try await Self.check(client, "grpc.testing.TestService")
            #expect(after == .notServing)
        }
    }

    @Test func checkOfAnUnknownServiceIsNotFound() async throws {
        try await withInteropServer { client, _ in
            await #expect { try await Self.check(client, "no.such.Service") } throws: { error in
                (error as? RPCError)?.code == .notFound
            }
        }
    }

    @Test func listReportsEveryKnownService() async throws {
        try await withInteropServer { client, _ in
            let response = try await client.unary(
                request: ClientRequest(message: Grpc_Health_V1_HealthListRequest()), descriptor: Health.List.descriptor,
                responseType: Grpc_Health_V1_HealthListResponse.self, options: CallOptions(timeout: .seconds(10)))
            #expect(response.message.statuses["grpc.testing.TestService"]?.status == .serving)
            #expect(response.message.statuses[""]?.status == .serving)
        }
    }

    @Test func watchSendsTheCurrentStatusThenEachChange() async throws {
        try await withInteropServer { client, health in
            let service = "grpc.testing.TestService"
            var request = Grpc_Health_V1_HealthCheckRequest()
            request.service = service
            let seen = try await client.serverStreaming(
                request: ClientRequest(message: request), descriptor: Health.Watch.descriptor,
                responseType: Grpc_Health_V1_HealthCheckResponse.self, options: CallOptions(timeout: .seconds(10))
            ) { response in
                var seen: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
                // Each change is made only after the previous status arrived, so none is coalesced.
                for try await message in response.messages {
                    seen.append(message.status)
                    switch seen.count {
                    case 1: health.setStatus(.notServing, for: service)
                    case 2: health.setStatus(.serving, for: service)
                    default: return seen
                    }
                }
                return seen
            }
            #expect(seen == [.serving, .notServing, .serving])
        }
    }

    @Test func watchOfAnUnknownServiceSaysSoAndFollowsItsArrival() async throws {
        try await withInteropServer { client, health in
            var request = Grpc_Health_V1_HealthCheckRequest()
            request.service = "late.Service"
            let seen = try await client.serverStreaming(
                request: ClientRequest(message: request), descriptor: Health.Watch.descriptor,
                responseType: Grpc_Health_V1_HealthCheckResponse.self, options: CallOptions(timeout: .seconds(10))
            ) { response in
                var seen: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
                for try await message in response.messages {
                    seen.append(message.status)
                    if seen.count == 1 { health.setStatus(.serving, for: "late.Service") } else { break }
                }
                return seen
            }
            #expect(seen == [.serviceUnknown, .serving])
        }
    }

    @Test func endedWatchesUnregister() async throws {
        struct Enough: Error {}
        let health = HealthStatusRegistry()
        var seen: [HealthStatus?] = []
        await #expect(throws: Enough.self) {
            try await health.watch("a") { status in
                seen.append(status)
                #expect(health.watcherCount == 1)
                throw Enough()
            }
        }
        #expect(seen == [nil])
        #expect(health.watcherCount == 0)
    }

    @Test func shutdownMarksEveryServiceNotServing() {
        let health = HealthStatusRegistry()
        health.setStatus(.serving, for: "")
        health.setStatus(.serving, for: "a")
        health.enterShutdown()
        #expect(health.status(of: "") == .notServing)
        #expect(health.status(of: "a") == .notServing)
        #expect(health.knownServices == ["", "a"])
    }
}

@Suite struct HealthShutdownServiceTests {
    @Test func gracefulShutdownMarksEverythingNotServing() async throws {
        let health = HealthStatusRegistry()
        health.setStatus(.serving, for: "")
        health.setStatus(.serving, for: "a")
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    startedContinuation.yield()
                    try await HealthShutdownService(health: health).run()
                }
                for await _ in started { break }
                #expect(health.status(of: "a") == .serving)
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(health.status(of: "") == .notServing)
        #expect(health.status(of: "a") == .notServing)
    }
}
