public import BoxOfficeProto

extension GRPCClient {
    // MARK: Raw bytes

    /// Makes a unary call with raw message bytes.
    public func unary(request: ClientRequest<[UInt8]>, descriptor: MethodDescriptor,
                      options: CallOptions = .defaults) async throws -> ClientResponse<[UInt8]> {
        try await call(descriptor: descriptor, metadata: request.metadata, options: options, first: request.message,
                       producer: nil, deserialize: { $0 }, onResponse: Self.collectOne)
    }

    /// Makes a client-streaming call with raw message bytes.
    public func clientStreaming(request: StreamingClientRequest<[UInt8]>, descriptor: MethodDescriptor,
                                options: CallOptions = .defaults) async throws -> ClientResponse<[UInt8]> {
        try await call(descriptor: descriptor, metadata: request.metadata, options: options, first: nil,
                       producer: request.producer, deserialize: { $0 }, onResponse: Self.collectOne)
    }

    /// Makes a server-streaming call with raw message bytes; read the response in `onResponse`.
    public func serverStreaming<Result: Sendable>(
        request: ClientRequest<[UInt8]>, descriptor: MethodDescriptor, options: CallOptions = .defaults,
        onResponse: @escaping @Sendable (StreamingClientResponse<[UInt8]>) async throws -> Result
    ) async throws -> Result {
        try await call(descriptor: descriptor, metadata: request.metadata, options: options, first: request.message,
                       producer: nil, deserialize: { $0 }, onResponse: onResponse)
    }

    /// Makes a bidirectional-streaming call with raw message bytes; read the response in `onResponse`
    /// while the request's producer writes.
    public func bidirectionalStreaming<Result: Sendable>(
        request: StreamingClientRequest<[UInt8]>, descriptor: MethodDescriptor, options: CallOptions = .defaults,
        onResponse: @escaping @Sendable (StreamingClientResponse<[UInt8]>) async throws -> Result
    ) async throws -> Result {
        try await call(descriptor: descriptor, metadata: request.metadata, options: options, first: nil,
                       producer: request.producer, deserialize: { $0 }, onResponse: onResponse)
    }

    // MARK: Protobuf messages

    /// Makes a unary call with protobuf messages.
    public func unary<Input: ProtoMessage, Output: ProtoMessage>(
        request: ClientRequest<Input>, descriptor: MethodDescriptor, responseType: Output.Type = Output.self,
        options: CallOptions = .defaults
    ) async throws -> ClientResponse<Output> {
        try await call(descriptor: descriptor, metadata: request.metadata, options: options,
                       first: request.message.serializedBytes(), producer: nil,
                       deserialize: Self.decode(Output.self), onResponse: Self.collectOne)
    }

    /// Makes a client-streaming call with protobuf messages.
    public func clientStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        request: StreamingClientRequest<Input>, descriptor: MethodDescriptor, responseType: Output.Type = Output.self,
        options: CallOptions = .defaults
    ) async throws -> ClientResponse<Output> {
        try await call(descriptor: descriptor, metadata: request.metadata, options: options, first: nil,
                       producer: Self.encoding(request.producer), deserialize: Self.decode(Output.self),
                       onResponse: Self.collectOne)
    }

    /// Makes a server-streaming call with protobuf messages; read the response in `onResponse`.
    public func serverStreaming<Input: ProtoMessage, Output: ProtoMessage, Result: Sendable>(
        request: ClientRequest<Input>, descriptor: MethodDescriptor, responseType: Output.Type = Output.self,
        options: CallOptions = .defaults,
        onResponse: @escaping @Sendable (StreamingClientResponse<Output>) async throws -> Result
    ) async throws -> Result {
        try await call(descriptor: descriptor, metadata: request.metadata, options: options,
                       first: request.message.serializedBytes(), producer: nil,
                       deserialize: Self.decode(Output.self), onResponse: onResponse)
    }

    /// Makes a bidirectional-streaming call with protobuf messages.
    public func bidirectionalStreaming<Input: ProtoMessage, Output: ProtoMessage, Result: Sendable>(
        request: StreamingClientRequest<Input>, descriptor: MethodDescriptor, responseType: Output.Type = Output.self,
        options: CallOptions = .defaults,
        onResponse: @escaping @Sendable (StreamingClientResponse<Output>) async throws -> Result
    ) async throws -> Result {
        try await call(descriptor: descriptor, metadata: request.metadata, options: options, first: nil,
                       producer: Self.encoding(request.producer), deserialize: Self.decode(Output.self),
                       onResponse: onResponse)
    }

    // MARK: -

    private static func decode<Output: ProtoMessage>(_: Output.Type) -> @Sendable ([UInt8]) throws -> Output {
        { bytes in
            do {
                return try Output(serializedBytes: bytes)
            } catch {
                throw RPCError(code: .internal, message: "cannot decode \(Output.protoFullName): \(error)", cause: error)
            }
        }
    }

    private static func encoding<Input: ProtoMessage>(
        _ producer: @escaping @Sendable (RPCWriter<Input>) async throws -> Void
    ) -> @Sendable (RPCWriter<[UInt8]>) async throws -> Void {
        { raw in
            try await producer(RPCWriter<Input>(serialize: { $0.serializedBytes() }) { try await raw.write($0) })
        }
    }

    /// Reads a response that must hold exactly one message.
    @Sendable
    static func collectOne<Output: Sendable>(_ response: StreamingClientResponse<Output>) async throws -> ClientResponse<Output> {
        var message: Output?
        var trailers: Metadata = [:]
        for try await part in response.bodyParts {
            switch part {
            case .message(let received):
                guard message == nil else {
                    throw RPCError(code: .internal, message: "more than one response message for a single-response call")
                }
                message = received
            case .trailingMetadata(let received):
                trailers = received
            }
        }
        guard let message else {
            throw RPCError(code: .internal, message: "the call ended OK without a response message")
        }
        return ClientResponse(message: message, metadata: response.metadata, trailingMetadata: trailers)
    }
}
