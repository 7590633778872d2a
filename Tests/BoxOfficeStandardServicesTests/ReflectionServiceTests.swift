import BoxOfficeAPI
import BoxOfficeRPC
import Testing

@Suite struct ReflectionServiceTests {
    @Test func v1AnswersEachRequestInOrder() async throws {
        try await withInteropServer { client, _ in
            var list = Grpc_Reflection_V1_ServerReflectionRequest()
            list.messageRequest = .listServices("")
            var symbol = Grpc_Reflection_V1_ServerReflectionRequest()
            symbol.messageRequest = .fileContainingSymbol("grpc.testing.TestService.FullDuplexCall")
            var unknown = Grpc_Reflection_V1_ServerReflectionRequest()
            unknown.messageRequest = .fileByFilename("no/such.proto")
            let responses = try await client.bidirectionalStreaming(
                request: StreamingClientRequest { [list, symbol, unknown] in try await $0.write(contentsOf: [list, symbol, unknown]) },
                descriptor: Grpc_Reflection_V1_ServerReflection.Method.ServerReflectionInfo.descriptor,
                responseType: Grpc_Reflection_V1_ServerReflectionResponse.self, options: CallOptions(timeout: .seconds(10))
            ) { response in
                var all: [Grpc_Reflection_V1_ServerReflectionResponse] = []
                for try await message in response.messages { all.append(message) }
                return all
            }
            try #require(responses.count == 3)

            guard case .listServicesResponse(let services)? = responses[0].messageResponse else {
                Issue.record("not a list: \(responses[0])")
                return
            }
            #expect(services.service.map(\.name) == [
                "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                "grpc.reflection.v1alpha.ServerReflection", "grpc.testing.TestService",
            ])

            guard case .fileDescriptorResponse(let files)? = responses[1].messageResponse else {
                Issue.record("not files: \(responses[1])")
                return
            }
            let test = try #require(BoxOfficeDescriptorSet.registry.file(named: "grpc/testing/test.proto"))
            #expect(files.fileDescriptorProto.first == test.serializedBytes)
            #expect(files.fileDescriptorProto.count == 3)
            #expect(responses[1].originalRequest == symbol)

            guard case .errorResponse(let error)? = responses[2].messageResponse else {
                Issue.record("not an error: \(responses[2])")
                return
            }
            #expect(error.errorCode == 5)
        }
    }

    @Test func v1alphaServesTheSameAnswers() async throws {
        try await withInteropServer { client, _ in
            var request = Grpc_Reflection_V1alpha_ServerReflectionRequest()
            request.host = "localhost"
            request.messageRequest = .fileContainingSymbol("grpc.health.v1.HealthCheckRequest")
            let responses = try await client.bidirectionalStreaming(
                request: StreamingClientRequest { [request] in try await $0.write(request) },
                descriptor: Grpc_Reflection_V1alpha_ServerReflection.Method.ServerReflectionInfo.descriptor,
                responseType: Grpc_Reflection_V1alpha_ServerReflectionResponse.self,
                options: CallOptions(timeout: .seconds(10))
            ) { response in
                var all: [Grpc_Reflection_V1alpha_ServerReflectionResponse] = []
                for try await message in response.messages { all.append(message) }
                return all
            }
            try #require(responses.count == 1)
            #expect(responses[0].validHost == "localhost")
            let health = try #require(BoxOfficeDescriptorSet.registry.file(named: "grpc/health/v1/health.proto"))
            guard case .fileDescriptorResponse(let files)? = responses[0].messageResponse else {
                Issue.record("not files: \(responses[0])")
                return
            }
            #expect(files.fileDescriptorProto == [health.serializedBytes])
        }
    }
}
