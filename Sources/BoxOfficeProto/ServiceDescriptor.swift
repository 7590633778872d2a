/// How many messages each side of an RPC sends.
public enum RPCKind: Sendable, Hashable, CaseIterable {
    /// One request, one response.
    case unary
    /// One request, a stream of responses.
    case serverStreaming
    /// A stream of requests, one response.
    case clientStreaming
    /// Streams both ways.
    case bidirectionalStreaming
}

/// One method of a gRPC service, as read from the descriptor set at generation time.
public struct MethodDescriptor: Sendable, Hashable {
    /// Fully-qualified service name, e.g. `boxoffice.inventory.v1.InventoryService`.
    public let service: String
    /// Method name, e.g. `HoldSeats`.
    public let method: String
    /// Streaming shape.
    public let kind: RPCKind
    /// Fully-qualified input message name.
    public let inputType: String
    /// Fully-qualified output message name.
    public let outputType: String

    /// Creates a method descriptor.
    public init(service: String, method: String, kind: RPCKind, inputType: String, outputType: String) {
        self.service = service
        self.method = method
        self.kind = kind
        self.inputType = inputType
        self.outputType = outputType
    }

    /// The HTTP/2 `:path` of the method: `/service/method`.
    public var path: String { "/\(service)/\(method)" }
}

/// A gRPC service: its name and methods.
public struct ServiceDescriptor: Sendable, Hashable {
    /// Fully-qualified service name.
    public let fullName: String
    /// The methods in declaration order.
    public let methods: [MethodDescriptor]

    /// Creates a service descriptor.
    public init(fullName: String, methods: [MethodDescriptor]) {
        self.fullName = fullName
        self.methods = methods
    }
}
