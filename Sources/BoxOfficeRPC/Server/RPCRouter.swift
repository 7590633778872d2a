public import BoxOfficeProto

/// The methods a server serves, by `:path`, with their call kinds and handlers.
///
/// Register typed handlers with a ``MethodDescriptor`` and ``ProtoMessage`` types, or raw-bytes
/// handlers with a path. Registering a path twice replaces the earlier handler.
public struct RPCRouter: Sendable {
    package struct RegisteredMethod: Sendable {
        package var kind: RPCKind
        package var body: @Sendable (ServerCall, ServerContext) async throws -> HandlerOutcome
    }

    package private(set) var methods: [String: RegisteredMethod] = [:]

    /// Creates an empty router.
    public init() {}

    /// The registered paths, sorted.
    public var paths: [String] { Self.routeOrder(methods.keys) }

    /// The order routes are numbered in (a request's route indexes it): paths sorted. The
    /// session's path interner, the connection state machine and the call runner all use it.
    package static func routeOrder(_ paths: some Sequence<String>) -> [String] { paths.sorted() }

    /// Whether `path` has a handler.
    public func hasHandler(forPath path: String) -> Bool { methods[path] != nil }

    // MARK: Typed (protobuf) registration

    /// Registers a unary method with request and response metadata.
    public mutating func registerUnary<Input: ProtoMessage, Output: ProtoMessage>(
        _ method: MethodDescriptor,
        handler: @escaping @Sendable (ServerRequest<Input>, ServerContext) async throws -> ServerResponse<Output>
    ) {
        unary(method.path, decode: Self.decoder(Input.self), encode: { $0.serializedBytes() }, handler: handler)
    }

    /// Registers a unary method as a plain function of the request message.
    public mutating func registerSimpleUnary<Input: ProtoMessage, Output: ProtoMessage>(
        _ method: MethodDescriptor,
        handler: @escaping @Sendable (Input, ServerContext) async throws -> Output
    ) {
        registerUnary(method) { (request: ServerRequest<Input>, context) -> ServerResponse<Output> in
            ServerResponse(message: try await handler(request.message, context))
        }
    }

    /// Registers a server-streaming method.
    public mutating func registerServerStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ method: MethodDescriptor,
        handler: @escaping @Sendable (ServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) {
        serverStreaming(method.path, decode: Self.decoder(Input.self), encode: { $0.serializedBytes() }, handler: handler)
    }

    /// Registers a client-streaming method.
    public mutating func registerClientStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ method: MethodDescriptor,
        handler: @escaping @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> ServerResponse<Output>
    ) {
        clientStreaming(method.path, decode: Self.decoder(Input.self), encode: { $0.serializedBytes() }, handler: handler)
    }

    /// Registers a bidirectional-streaming method.
    public mutating func registerBidirectionalStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ method: MethodDescriptor,
        handler: @escaping @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) {
        bidirectionalStreaming(method.path, decode: Self.decoder(Input.self), encode: { $0.serializedBytes() },
                               handler: handler)
    }

    // MARK: Raw-bytes registration

    /// Registers a unary method on raw message bytes.
    public mutating func registerUnary(
        path: String,
        handler: @escaping @Sendable (ServerRequest<[UInt8]>, ServerContext) async throws -> ServerResponse<[UInt8]>
    ) {
        unary(path, decode: { $0 }, encode: { $0 }, handler: handler)
    }

    /// Registers a server-streaming method on raw message bytes.
    public mutating func registerServerStreaming(
        path: String,
        handler: @escaping @Sendable (ServerRequest<[UInt8]>, ServerContext) async throws -> StreamingServerResponse<[UInt8]>
    ) {
        serverStreaming(path, decode: { $0 }, encode: { $0 }, handler: handler)
    }

    /// Registers a client-streaming method on raw message bytes.
    public mutating func registerClientStreaming(
        path: String,
        handler: @escaping @Sendable (StreamingServerRequest<[UInt8]>, ServerContext) async throws -> ServerResponse<[UInt8]>
    ) {
        clientStreaming(path, decode: { $0 }, encode: { $0 }, handler: handler)
    }

    /// Registers a bidirectional-streaming method on raw message bytes.
    public mutating func registerBidirectionalStreaming(
        path: String,
        handler: @escaping @Sendable (StreamingServerRequest<[UInt8]>, ServerContext) async throws -> StreamingServerResponse<[UInt8]>
    ) {
        bidirectionalStreaming(path, decode: { $0 }, encode: { $0 }, handler: handler)
    }

    // MARK: Shared plumbing

    private static func decoder<Input: ProtoMessage>(_: Input.Type) -> @Sendable ([UInt8]) throws -> Input {
        { bytes in
            do {
                return try Input(serializedBytes: bytes)
            } catch {
                throw RPCError(code: .internal, message: "could not decode \(Input.protoFullName): \(error)", cause: error)
            }
        }
    }

    private static func produce<Output: Sendable>(
        _ response: StreamingServerResponse<Output>, call: ServerCall, encode: @escaping @Sendable (Output) -> [UInt8]
    ) async throws -> Metadata {
        call.outbound.sendHeaders(response.metadata)
        let outbound = call.outbound
        return try await response.producer(RPCWriter(serialize: encode, writeBytes: { try await outbound.write($0) }))
    }

    private static func single(_ call: ServerCall) -> [UInt8] {
        if case .single(let bytes) = call.requests { return bytes }
        preconditionFailure("a single-request call was started with a request stream")
    }

    private static func stream(_ call: ServerCall) -> RequestMessageQueue {
        if case .stream(let queue) = call.requests { return queue }
        preconditionFailure("a streaming-request call was started with a single request")
    }

    private mutating func unary<Input: Sendable, Output: Sendable>(
        _ path: String, decode: @escaping @Sendable ([UInt8]) throws -> Input,
        encode: @escaping @Sendable (Output) -> [UInt8],
        handler: @escaping @Sendable (ServerRequest<Input>, ServerContext) async throws -> ServerResponse<Output>
    ) {
        methods[path] = RegisteredMethod(kind: .unary) { call, context in
            let request = ServerRequest(metadata: context.metadata, message: try decode(Self.single(call)))
            let response = try await handler(request, context)
            return .single(headers: response.metadata, message: encode(response.message), trailers: response.trailingMetadata)
        }
    }

    private mutating func serverStreaming<Input: Sendable, Output: Sendable>(
        _ path: String, decode: @escaping @Sendable ([UInt8]) throws -> Input,
        encode: @escaping @Sendable (Output) -> [UInt8],
        handler: @escaping @Sendable (ServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) {
        methods[path] = RegisteredMethod(kind: .serverStreaming) { call, context in
            let request = ServerRequest(metadata: context.metadata, message: try decode(Self.single(call)))
            let response = try await handler(request, context)
            return .streamed(trailers: try await Self.produce(response, call: call, encode: encode))
        }
    }

    private mutating func clientStreaming<Input: Sendable, Output: Sendable>(
        _ path: String, decode: @escaping @Sendable ([UInt8]) throws -> Input,
        encode: @escaping @Sendable (Output) -> [UInt8],
        handler: @escaping @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> ServerResponse<Output>
    ) {
        methods[path] = RegisteredMethod(kind: .clientStreaming) { call, context in
            let messages = RPCAsyncSequence(queue: Self.stream(call), decode: decode)
            let response = try await handler(StreamingServerRequest(metadata: context.metadata, messages: messages), context)
            return .single(headers: response.metadata, message: encode(response.message), trailers: response.trailingMetadata)
        }
    }

    private mutating func bidirectionalStreaming<Input: Sendable, Output: Sendable>(
        _ path: String, decode: @escaping @Sendable ([UInt8]) throws -> Input,
        encode: @escaping @Sendable (Output) -> [UInt8],
        handler: @escaping @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) {
        methods[path] = RegisteredMethod(kind: .bidirectionalStreaming) { call, context in
            let messages = RPCAsyncSequence(queue: Self.stream(call), decode: decode)
            let response = try await handler(StreamingServerRequest(metadata: context.metadata, messages: messages), context)
            return .streamed(trailers: try await Self.produce(response, call: call, encode: encode))
        }
    }
}
