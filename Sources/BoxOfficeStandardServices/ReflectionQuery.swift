/// One server-reflection request, independent of the protocol version (`v1` and `v1alpha`
/// carry identical messages under different packages).
enum ReflectionQuery: Sendable, Hashable {
    case listServices
    case fileByFilename(String)
    case fileContainingSymbol(String)
    case fileContainingExtension(containingType: String, number: Int32)
    case allExtensionNumbersOfType(String)
    /// A request with no question set.
    case empty
}

/// The answer to one ``ReflectionQuery``.
enum ReflectionAnswer: Sendable, Hashable {
    /// Serialized FileDescriptorProtos: the file asked for, then its transitive imports.
    case files([[UInt8]])
    /// Fully-qualified service names.
    case services([String])
    /// The extension numbers of a message type (proto3 files define none).
    case extensionNumbers(baseType: String, numbers: [Int32])
    /// An error with a gRPC status code, as `ErrorResponse` carries it.
    case error(code: Int32, message: String)
}
