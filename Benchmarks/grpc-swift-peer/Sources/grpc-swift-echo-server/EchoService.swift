import GRPCCore

/// `echo.Echo` on raw bytes: `Unary` answers each request with the request's own bytes.
///
/// Registered by hand, the way grpc-swift-2's generated code does it (a streaming handler that
/// wraps the single request and response), so no protoc plugin or swift-protobuf is needed.
struct EchoService: RegistrableRPCService {
    /// `/echo.Echo/Unary`, the method Benchmarks/rpc/run.sh loads.
    static let unary = MethodDescriptor(fullyQualifiedService: "echo.Echo", method: "Unary")

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Self.unary,
            deserializer: RawBytesDeserializer(),
            serializer: RawBytesSerializer()
        ) { request, context in
            let single = try await ServerRequest(stream: request)
            return StreamingServerResponse(single: try await self.unary(request: single, context: context))
        }
    }

    /// The request/response level of the method: echo the message, no metadata.
    func unary(request: ServerRequest<[UInt8]>, context: ServerContext) async throws -> ServerResponse<[UInt8]> {
        ServerResponse(message: request.message)
    }
}
