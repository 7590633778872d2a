import BoxOfficeAPI
import BoxOfficeProto
import BoxOfficeRPC

/// Server reflection, `grpc.reflection.v1.ServerReflection` and `grpc.reflection.v1alpha.ServerReflection`:
/// one bidi call, one answer per request, in order.
///
/// The two versions' messages are the same on the wire (same fields, same numbers), so both methods
/// are served with the v1 message types.
struct ReflectionService: Sendable {
    typealias Request = Grpc_Reflection_V1_ServerReflectionRequest
    typealias Response = Grpc_Reflection_V1_ServerReflectionResponse

    let resolver: ReflectionResolver

    /// Registers the v1 and v1alpha methods.
    func register(on router: inout RPCRouter) {
        for method in [Grpc_Reflection_V1_ServerReflection.Method.ServerReflectionInfo.descriptor,
                       Grpc_Reflection_V1alpha_ServerReflection.Method.ServerReflectionInfo.descriptor] {
            register(method, on: &router)
        }
    }

    private func register(_ method: MethodDescriptor, on router: inout RPCRouter) {
        let resolver = self.resolver
        router.registerBidirectionalStreaming(method) {
            (requests: StreamingServerRequest<Request>, _) -> StreamingServerResponse<Response> in
            StreamingServerResponse { writer in
                for try await request in requests.messages {
                    try await writer.write(Self.response(to: request, answer: resolver.answer(Self.query(request))))
                }
                return [:]
            }
        }
    }

    static func query(_ request: Request) -> ReflectionQuery {
        switch request.messageRequest {
        case .fileByFilename(let name)?: .fileByFilename(name)
        case .fileContainingSymbol(let symbol)?: .fileContainingSymbol(symbol)
        case .fileContainingExtension(let ext)?:
            .fileContainingExtension(containingType: ext.containingType, number: ext.extensionNumber)
        case .allExtensionNumbersOfType(let type)?: .allExtensionNumbersOfType(type)
        case .listServices?: .listServices
        case nil: .empty
        }
    }

    static func response(to request: Request, answer: ReflectionAnswer) -> Response {
        var response = Response()
        response.validHost = request.host
        response.originalRequest = request
        switch answer {
        case .files(let files):
            var body = Grpc_Reflection_V1_FileDescriptorResponse()
            body.fileDescriptorProto = files
            response.messageResponse = .fileDescriptorResponse(body)
        case .services(let names):
            var body = Grpc_Reflection_V1_ListServiceResponse()
            body.service = names.map { name in
                var service = Grpc_Reflection_V1_ServiceResponse()
                service.name = name
                return service
            }
            response.messageResponse = .listServicesResponse(body)
        case .extensionNumbers(let baseType, let numbers):
            var body = Grpc_Reflection_V1_ExtensionNumberResponse()
            body.baseTypeName = baseType
            body.extensionNumber = numbers
            response.messageResponse = .allExtensionNumbersResponse(body)
        case .error(let code, let message):
            var body = Grpc_Reflection_V1_ErrorResponse()
            body.errorCode = code
            body.errorMessage = message
            response.messageResponse = .errorResponse(body)
        }
        return response
    }
}
