public import BoxOfficeRPC
import BoxOfficeAPI

/// `grpc.testing.TestService` as grpc's interop test descriptions define it.
///
/// `UnimplementedCall` is deliberately not registered, so the runtime answers UNIMPLEMENTED.
/// Compression is not supported: the runtime rejects a compressed request with UNIMPLEMENTED
/// (as the spec allows), a request that `expect_compressed` gets INVALID_ARGUMENT, and
/// responses are always sent uncompressed.
public struct TestService: Sendable {
    /// Creates the service.
    public init() {}

    /// Adds the service's methods to `router`.
    public func register(on router: inout RPCRouter) {
        typealias Methods = Grpc_Testing_TestService.Method
        router.registerSimpleUnary(Methods.EmptyCall.descriptor) { (_: Grpc_Testing_Empty, _) in Grpc_Testing_Empty() }
        router.registerUnary(Methods.UnaryCall.descriptor, handler: Self.unaryCall)
        router.registerUnary(Methods.CacheableUnaryCall.descriptor, handler: Self.unaryCall)
        router.registerServerStreaming(Methods.StreamingOutputCall.descriptor, handler: Self.streamingOutputCall)
        router.registerClientStreaming(Methods.StreamingInputCall.descriptor, handler: Self.streamingInputCall)
        router.registerBidirectionalStreaming(Methods.FullDuplexCall.descriptor, handler: Self.fullDuplexCall)
        router.registerBidirectionalStreaming(Methods.HalfDuplexCall.descriptor, handler: Self.halfDuplexCall)
    }

    // MARK: Handlers

    @Sendable
    static func unaryCall(_ request: ServerRequest<Grpc_Testing_SimpleRequest>, _ context: ServerContext)
        async throws -> ServerResponse<Grpc_Testing_SimpleResponse> {
        let echo = EchoedMetadata(request.metadata)
        try rejectExpectedCompression(request.message.expectCompressed)
        try echo.throwIfRequested(request.message.responseStatus)
        var response = Grpc_Testing_SimpleResponse()
        response.payload = try .requested(size: request.message.responseSize)
        if request.message.fillServerID { response.serverID = "boxoffice-interop" }
        return ServerResponse(message: response, metadata: echo.initial, trailingMetadata: echo.trailing)
    }

    @Sendable
    static func streamingOutputCall(_ request: ServerRequest<Grpc_Testing_StreamingOutputCallRequest>,
                                    _ context: ServerContext)
        async throws -> StreamingServerResponse<Grpc_Testing_StreamingOutputCallResponse> {
        let echo = EchoedMetadata(request.metadata)
        let message = request.message
        return StreamingServerResponse(metadata: echo.initial) { writer in
            try await respond(to: message, echo: echo, writer: writer)
            return echo.trailing
        }
    }

    @Sendable
    static func streamingInputCall(_ request: StreamingServerRequest<Grpc_Testing_StreamingInputCallRequest>,
                                   _ context: ServerContext)
        async throws -> ServerResponse<Grpc_Testing_StreamingInputCallResponse> {
        let echo = EchoedMetadata(request.metadata)
        var total = 0
        for try await message in request.messages {
            try rejectExpectedCompression(message.expectCompressed)
            total += message.payload?.body.count ?? 0
        }
        var response = Grpc_Testing_StreamingInputCallResponse()
        response.aggregatedPayloadSize = Int32(clamping: total)
        return ServerResponse(message: response, metadata: echo.initial, trailingMetadata: echo.trailing)
    }

    @Sendable
    static func fullDuplexCall(_ request: StreamingServerRequest<Grpc_Testing_StreamingOutputCallRequest>,
                               _ context: ServerContext)
        async throws -> StreamingServerResponse<Grpc_Testing_StreamingOutputCallResponse> {
        let echo = EchoedMetadata(request.metadata)
        let messages = request.messages
        return StreamingServerResponse(metadata: echo.initial) { writer in
            for try await message in messages {
                try await respond(to: message, echo: echo, writer: writer)
            }
            return echo.trailing
        }
    }

    @Sendable
    static func halfDuplexCall(_ request: StreamingServerRequest<Grpc_Testing_StreamingOutputCallRequest>,
                               _ context: ServerContext)
        async throws -> StreamingServerResponse<Grpc_Testing_StreamingOutputCallResponse> {
        let echo = EchoedMetadata(request.metadata)
        let messages = request.messages
        return StreamingServerResponse(metadata: echo.initial) { writer in
            var received: [Grpc_Testing_StreamingOutputCallRequest] = []
            for try await message in messages { received.append(message) }
            for message in received {
                try await respond(to: message, echo: echo, writer: writer)
            }
            return echo.trailing
        }
    }

    // MARK: Shared

    /// Sends the responses one StreamingOutputCallRequest asks for, or ends the call with the
    /// status it asks for.
    private static func respond(to message: Grpc_Testing_StreamingOutputCallRequest, echo: EchoedMetadata,
                                writer: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>) async throws {
        try echo.throwIfRequested(message.responseStatus)
        for parameters in message.responseParameters {
            if parameters.intervalUs > 0 { try await Task.sleep(for: .microseconds(parameters.intervalUs)) }
            var response = Grpc_Testing_StreamingOutputCallResponse()
            response.payload = try .requested(size: parameters.size)
            try await writer.write(response)
        }
    }

    /// This server never receives a compressed message (the runtime refuses them), so a request
    /// that says it was compressed is wrong.
    private static func rejectExpectedCompression(_ flag: Grpc_Testing_BoolValue?) throws(RPCError) {
        if flag?.value == true {
            throw RPCError(code: .invalidArgument, message: "expected a compressed request; this server supports no compression")
        }
    }
}

/// The request metadata a TestService call echoes back.
struct EchoedMetadata: Sendable {
    /// Sent in the response headers.
    var initial: Metadata = [:]
    /// Sent in the trailers, also when the call fails.
    var trailing: Metadata = [:]

    init(_ request: Metadata) {
        for value in request[stringValues: InteropMetadata.echoInitialKey] {
            initial.addString(value, forKey: InteropMetadata.echoInitialKey)
        }
        for value in request[binaryValues: InteropMetadata.echoTrailingKey] {
            trailing.addBinary(value, forKey: InteropMetadata.echoTrailingKey)
        }
    }

    /// Ends the call with the status a request's `response_status` asks for (nothing when OK).
    func throwIfRequested(_ status: Grpc_Testing_EchoStatus?) throws(RPCError) {
        guard let status, status.code != 0 else { return }
        throw RPCError(code: RPCError.Code(rawValue: Int(status.code)), message: status.message, metadata: trailing)
    }
}
