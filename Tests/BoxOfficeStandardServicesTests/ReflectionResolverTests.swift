import BoxOfficeAPI
import BoxOfficeProto
@testable import BoxOfficeStandardServices
import Testing

@Suite struct ReflectionResolverTests {
    let registry = BoxOfficeDescriptorSet.registry
    var resolver: ReflectionResolver {
        ReflectionResolver(registry: registry, services: ["grpc.testing.TestService", "grpc.health.v1.Health",
                                                          "grpc.testing.TestService"])
    }

    private func fileNames(_ answer: ReflectionAnswer) -> [String] {
        guard case .files(let files) = answer else { return [] }
        return files.map { bytes in registry.files.first { $0.serializedBytes == bytes }?.name ?? "?" }
    }

    @Test func listsTheServicesOnceEachSorted() {
        #expect(resolver.answer(.listServices) == .services(["grpc.health.v1.Health", "grpc.testing.TestService"]))
    }

    @Test func fileByFilenameCarriesItsDependenciesTransitively() {
        let names = fileNames(resolver.answer(.fileByFilename("grpc/testing/test.proto")))
        #expect(names.first == "grpc/testing/test.proto")
        #expect(Set(names) == ["grpc/testing/test.proto", "grpc/testing/empty.proto", "grpc/testing/messages.proto"])
        #expect(names.count == 3)
    }

    @Test func transitiveImportsAreIncluded() {
        let names = fileNames(resolver.answer(.fileByFilename("boxoffice/booking/v1/booking.proto")))
        #expect(names.contains("boxoffice/common/v1/money.proto"))
        #expect(names.contains("google/protobuf/timestamp.proto"))
        #expect(Set(names).count == names.count)
    }

    @Test(arguments: [
        ("grpc.testing.SimpleRequest", "grpc/testing/messages.proto"),
        ("grpc.testing.PayloadType", "grpc/testing/messages.proto"),
        ("grpc.testing.TestService", "grpc/testing/test.proto"),
        ("grpc.testing.TestService.UnaryCall", "grpc/testing/test.proto"),
        ("grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto"),
        (".grpc.testing.Empty", "grpc/testing/empty.proto"),
    ])
    func fileContainingSymbolFindsMessagesEnumsServicesAndMethods(symbol: String, file: String) {
        #expect(fileNames(resolver.answer(.fileContainingSymbol(symbol))).first == file)
    }

    @Test func unknownNamesAreNotFound() {
        for query in [ReflectionQuery.fileByFilename("nope.proto"), .fileContainingSymbol("grpc.testing.Nope"),
                      .fileContainingExtension(containingType: "grpc.testing.Empty", number: 100),
                      .allExtensionNumbersOfType("grpc.testing.Nope")] {
            guard case .error(let code, let message) = resolver.answer(query) else {
                Issue.record("\(query) did not fail")
                continue
            }
            #expect(code == 5)
            #expect(!message.isEmpty)
        }
    }

    @Test func knownTypesHaveNoExtensions() {
        #expect(resolver.answer(.allExtensionNumbersOfType("grpc.testing.Empty"))
            == .extensionNumbers(baseType: "grpc.testing.Empty", numbers: []))
    }

    @Test func anEmptyRequestIsAnInvalidArgument() {
        #expect(resolver.answer(.empty) == .error(code: 3, message: "the request asks nothing"))
    }
}
