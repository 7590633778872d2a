import BoxOfficeAPI
import BoxOfficeProto
import Testing

/// The descriptor set embedded for server reflection.
@Suite struct DescriptorRegistryTests {
    let registry = BoxOfficeDescriptorSet.registry

    @Test func everyProtoFileIsEmbeddedWithItsImports() throws {
        let names = registry.files.map(\.name)
        for name in ["grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto",
                     "grpc/reflection/v1alpha/reflection.proto", "grpc/testing/test.proto",
                     "grpc/testing/messages.proto", "grpc/testing/empty.proto"] {
            #expect(names.contains(name))
        }
        let test = try #require(registry.file(named: "grpc/testing/test.proto"))
        #expect(test.dependencies == ["grpc/testing/empty.proto", "grpc/testing/messages.proto"])
        let closure = registry.fileWithDependencies(test).map(\.name)
        #expect(closure == ["grpc/testing/test.proto", "grpc/testing/empty.proto", "grpc/testing/messages.proto"])
        for file in registry.files {
            for dependency in file.dependencies { #expect(registry.file(named: dependency) != nil) }
        }
    }

    @Test func descriptorBytesAreTheFileDescriptorProto() throws {
        let health = try #require(registry.file(named: "grpc/health/v1/health.proto"))
        // field 1 (name) first, as protoc writes it.
        let name = Array("grpc/health/v1/health.proto".utf8)
        #expect(Array(health.serializedBytes.prefix(2 + name.count)) == [0x0A, UInt8(name.count)] + name)
        // source_code_info (field 9) is left out: no comments in reflection answers.
        #expect(!String(decoding: health.serializedBytes, as: UTF8.self).contains("the server as a whole"))
    }

    @Test func symbolsFindTheirFile() {
        for symbol in ["grpc.health.v1.Health", "grpc.health.v1.Health.Watch", "grpc.health.v1.HealthCheckRequest",
                       "grpc.health.v1.HealthCheckResponse.ServingStatus", ".grpc.health.v1.HealthCheckResponse"] {
            #expect(registry.file(containingSymbol: symbol)?.name == "grpc/health/v1/health.proto", "\(symbol)")
        }
        #expect(registry.file(containingSymbol: "grpc.health.v1.Nope") == nil)
        #expect(registry.file(containingSymbol: "grpc.testing.TestService.UnaryCall")?.name == "grpc/testing/test.proto")
    }

    @Test func servicesAreListed() {
        let names = registry.services.map(\.fullName)
        #expect(names.contains("grpc.health.v1.Health"))
        #expect(names.contains("grpc.reflection.v1.ServerReflection"))
        #expect(names.contains("grpc.reflection.v1alpha.ServerReflection"))
        #expect(names == names.sorted())
    }
}
