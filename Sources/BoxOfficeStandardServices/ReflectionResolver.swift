import BoxOfficeProto
import BoxOfficeRPC

/// Answers reflection queries from a descriptor set: the pure logic behind both reflection
/// services, tested without a server.
struct ReflectionResolver: Sendable {
    /// The files the answers come from.
    let registry: ProtoDescriptorRegistry
    /// The services this server serves (what `list_services` reports), sorted.
    let services: [String]

    init(registry: ProtoDescriptorRegistry, services: [String]) {
        self.registry = registry
        self.services = Array(Set(services)).sorted()
    }

    func answer(_ query: ReflectionQuery) -> ReflectionAnswer {
        switch query {
        case .listServices:
            return .services(services)
        case .fileByFilename(let name):
            guard let file = registry.file(named: name) else { return notFound("file '\(name)' not found") }
            return files(file)
        case .fileContainingSymbol(let symbol):
            guard let file = registry.file(containingSymbol: symbol) else {
                return notFound("symbol '\(symbol)' not found")
            }
            return files(file)
        case .fileContainingExtension(let type, let number):
            return notFound("extension \(number) of '\(type)' not found")
        case .allExtensionNumbersOfType(let type):
            guard registry.file(containingSymbol: type) != nil else { return notFound("type '\(type)' not found") }
            let name = type.hasPrefix(".") ? String(type.dropFirst()) : type
            return .extensionNumbers(baseType: name, numbers: [])
        case .empty:
            return .error(code: Int32(RPCError.Code.invalidArgument.rawValue), message: "the request asks nothing")
        }
    }

    private func files(_ file: ProtoFileDescriptor) -> ReflectionAnswer {
        .files(registry.fileWithDependencies(file).map(\.serializedBytes))
    }

    private func notFound(_ message: String) -> ReflectionAnswer {
        .error(code: Int32(RPCError.Code.notFound.rawValue), message: message)
    }
}
