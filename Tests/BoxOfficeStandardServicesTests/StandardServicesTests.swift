import BoxOfficeAPI
import BoxOfficeRPC
import BoxOfficeStandardServices
import Testing

@Suite struct StandardServicesTests {
    @Test func onlyRegisteredServicesAreListedAndHealthy() async throws {
        try await withInteropServer(withTestService: false) { client, health in
            #expect(health.knownServices == [""])
            var request = Grpc_Reflection_V1_ServerReflectionRequest()
            request.messageRequest = .listServices("")
            let names = try await client.bidirectionalStreaming(
                request: StreamingClientRequest { [request] in try await $0.write(request) },
                descriptor: Grpc_Reflection_V1_ServerReflection.Method.ServerReflectionInfo.descriptor,
                responseType: Grpc_Reflection_V1_ServerReflectionResponse.self, options: CallOptions(timeout: .seconds(10))
            ) { response in
                var names: [String] = []
                for try await message in response.messages {
                    if case .listServicesResponse(let list)? = message.messageResponse { names += list.service.map(\.name) }
                }
                return names
            }
            #expect(names == ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                              "grpc.reflection.v1alpha.ServerReflection"])
        }
    }

    @Test func aStatusSetBeforeRegistrationIsKept() {
        let health = HealthStatusRegistry()
        health.setStatus(.notServing, for: "grpc.testing.TestService")
        var router = RPCRouter()
        router.registerSimpleUnary(Grpc_Testing_TestService.Method.EmptyCall.descriptor) {
            (_: Grpc_Testing_Empty, _) in Grpc_Testing_Empty()
        }
        router.registerStandardServices(health: health)
        #expect(health.status(of: "grpc.testing.TestService") == .notServing)
        #expect(health.status(of: "") == .serving)
        #expect(router.hasHandler(forPath: "/grpc.health.v1.Health/Watch"))
        #expect(router.hasHandler(forPath: "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"))
    }
}
