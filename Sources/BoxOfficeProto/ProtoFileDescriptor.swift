/// One .proto file of the descriptor set embedded at build time, for server reflection.
public struct ProtoFileDescriptor: Sendable, Hashable {
    /// Import name, e.g. `grpc/health/v1/health.proto`.
    public let name: String
    /// Its serialized `google.protobuf.FileDescriptorProto`, as protoc produced it.
    public let serializedBytes: [UInt8]
    /// Import names of the files it imports, in declaration order.
    public let dependencies: [String]
    /// Fully-qualified names of the messages, enums, services and methods (`Service.Method`)
    /// it defines, nested ones included, sorted.
    public let symbols: [String]

    /// Creates a file entry.
    public init(name: String, serializedBytes: [UInt8], dependencies: [String], symbols: [String]) {
        self.name = name
        self.serializedBytes = serializedBytes
        self.dependencies = dependencies
        self.symbols = symbols
    }
}

/// Every file of a descriptor set with lookups by name and by symbol, as reflection needs them.
public struct ProtoDescriptorRegistry: Sendable {
    /// Files sorted by name.
    public let files: [ProtoFileDescriptor]
    /// Every service defined by the files, sorted by full name.
    public let services: [ServiceDescriptor]
    private let fileIndexByName: [String: Int]
    private let fileIndexBySymbol: [String: Int]

    /// Indexes `files` and `services`.
    public init(files: [ProtoFileDescriptor], services: [ServiceDescriptor]) {
        self.files = files.sorted { $0.name < $1.name }
        self.services = services.sorted { $0.fullName < $1.fullName }
        var byName: [String: Int] = [:]
        var bySymbol: [String: Int] = [:]
        for (index, file) in self.files.enumerated() {
            byName[file.name] = index
            for symbol in file.symbols { bySymbol[symbol] = index }
        }
        fileIndexByName = byName
        fileIndexBySymbol = bySymbol
    }

    /// The file with import name `name`.
    public func file(named name: String) -> ProtoFileDescriptor? {
        fileIndexByName[name].map { files[$0] }
    }

    /// The file defining the fully-qualified `symbol` (a leading `.` is ignored).
    public func file(containingSymbol symbol: String) -> ProtoFileDescriptor? {
        let key = symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol
        return fileIndexBySymbol[key].map { files[$0] }
    }

    /// `file` followed by its transitive imports, each once, dependencies after dependents.
    public func fileWithDependencies(_ file: ProtoFileDescriptor) -> [ProtoFileDescriptor] {
        var seen: Set<String> = [file.name]
        var order = [file]
        var next = 0
        while next < order.count {
            for dependency in order[next].dependencies where !seen.contains(dependency) {
                seen.insert(dependency)
                if let found = self.file(named: dependency) { order.append(found) }
            }
            next += 1
        }
        return order
    }
}

extension ProtoFileDescriptor {
    /// A file entry whose descriptor bytes are given as base64 (whitespace ignored), as
    /// generated code embeds them.
    public init(name: String, base64 text: String, dependencies: [String], symbols: [String]) {
        guard let bytes = ProtoBase64.decode(text.filter { !$0.isWhitespace }) else {
            preconditionFailure("invalid embedded descriptor for \(name)")
        }
        self.init(name: name, serializedBytes: bytes, dependencies: dependencies, symbols: symbols)
    }
}
