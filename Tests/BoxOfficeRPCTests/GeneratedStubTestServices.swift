import BoxOfficeAPI
import BoxOfficeRPC

/// `grpc.testing.TestService` through the generated simple-level protocol, echoing what the
/// interop tests expect: payloads of the requested sizes, statuses on request.
struct GeneratedStubTestService: Grpc_Testing_TestService.SimpleServiceProtocol {
    func emptyCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        Grpc_Testing_Empty()
    }

    func unaryCall(request: Grpc_Testing_SimpleRequest, context: ServerContext) async throws -> Grpc_Testing_SimpleResponse {
        if let status = request.responseStatus, status.code != 0 {
            throw RPCError(code: RPCError.Code(rawValue: Int(status.code)), message: status.message)
        }
        var response = Grpc_Testing_SimpleResponse()
        response.payload = Self.payload(size: request.responseSize)
        return response
    }

    func cacheableUnaryCall(request: Grpc_Testing_SimpleRequest,
                            context: ServerContext) async throws -> Grpc_Testing_SimpleResponse {
        try await unaryCall(request: request, context: context)
    }

    func streamingOutputCall(request: Grpc_Testing_StreamingOutputCallRequest,
                             response: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>,
                             context: ServerContext) async throws {
        for parameters in request.responseParameters {
            var message = Grpc_Testing_StreamingOutputCallResponse()
            message.payload = Self.payload(size: parameters.size)
            try await response.write(message)
        }
    }

    func streamingInputCall(request: RPCAsyncSequence<Grpc_Testing_StreamingInputCallRequest>,
                            context: ServerContext) async throws -> Grpc_Testing_StreamingInputCallResponse {
        var total: Int32 = 0
        for try await message in request { total += Int32(message.payload?.body.count ?? 0) }
        var response = Grpc_Testing_StreamingInputCallResponse()
        response.aggregatedPayloadSize = total
        return response
    }

    func fullDuplexCall(request: RPCAsyncSequence<Grpc_Testing_StreamingOutputCallRequest>,
                        response: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>,
                        context: ServerContext) async throws {
        for try await message in request {
            if let status = message.responseStatus, status.code != 0 {
                throw RPCError(code: RPCError.Code(rawValue: Int(status.code)), message: status.message)
            }
            for parameters in message.responseParameters {
                var reply = Grpc_Testing_StreamingOutputCallResponse()
                reply.payload = Self.payload(size: parameters.size)
                try await response.write(reply)
            }
        }
    }

    func halfDuplexCall(request: RPCAsyncSequence<Grpc_Testing_StreamingOutputCallRequest>,
                        response: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>,
                        context: ServerContext) async throws {
        throw RPCError(code: .unimplemented, message: "HalfDuplexCall is not served")
    }

    func unimplementedCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        throw RPCError(code: .unimplemented, message: "UnimplementedCall is not served")
    }

    static func payload(size: Int32) -> Grpc_Testing_Payload {
        var payload = Grpc_Testing_Payload()
        payload.body = [UInt8](repeating: 0, count: Int(size))
        return payload
    }
}

/// `boxoffice.inventory.v1.InventoryService` at the request/response level: `GetHold` answers
/// (echoing a request header into the trailers), everything else is UNIMPLEMENTED.
struct GeneratedStubInventory: Boxoffice_Inventory_V1_InventoryService.ServiceProtocol {
    typealias Methods = Boxoffice_Inventory_V1_InventoryService.Method

    private static func unimplemented<Message>(_ context: ServerContext) throws -> Message {
        throw RPCError(code: .unimplemented, message: "\(context.method) is not implemented by this test")
    }

    func getHold(request: ServerRequest<Methods.GetHold.Input>,
                 context: ServerContext) async throws -> ServerResponse<Methods.GetHold.Output> {
        var response = Methods.GetHold.Output()
        var hold = Boxoffice_Inventory_V1_Hold()
        hold.id = request.message.holdID
        response.hold = hold
        var trailers = Metadata()
        if let tag = request.metadata.firstString(forKey: "x-tag") { trailers.addString(tag, forKey: "x-tag") }
        return ServerResponse(message: response, trailingMetadata: trailers)
    }

    func createEvent(request: ServerRequest<Methods.CreateEvent.Input>,
                     context: ServerContext) async throws -> ServerResponse<Methods.CreateEvent.Output> {
        try Self.unimplemented(context)
    }

    func getEvent(request: ServerRequest<Methods.GetEvent.Input>,
                  context: ServerContext) async throws -> ServerResponse<Methods.GetEvent.Output> {
        try Self.unimplemented(context)
    }

    func getAvailability(request: ServerRequest<Methods.GetAvailability.Input>,
                         context: ServerContext) async throws -> ServerResponse<Methods.GetAvailability.Output> {
        try Self.unimplemented(context)
    }

    func holdSeats(request: ServerRequest<Methods.HoldSeats.Input>,
                   context: ServerContext) async throws -> ServerResponse<Methods.HoldSeats.Output> {
        try Self.unimplemented(context)
    }

    func confirmHold(request: ServerRequest<Methods.ConfirmHold.Input>,
                     context: ServerContext) async throws -> ServerResponse<Methods.ConfirmHold.Output> {
        try Self.unimplemented(context)
    }

    func releaseHold(request: ServerRequest<Methods.ReleaseHold.Input>,
                     context: ServerContext) async throws -> ServerResponse<Methods.ReleaseHold.Output> {
        try Self.unimplemented(context)
    }

    func pinHold(request: ServerRequest<Methods.PinHold.Input>,
                 context: ServerContext) async throws -> ServerResponse<Methods.PinHold.Output> {
        try Self.unimplemented(context)
    }

    func checkConsistency(request: ServerRequest<Methods.CheckConsistency.Input>,
                          context: ServerContext) async throws -> ServerResponse<Methods.CheckConsistency.Output> {
        try Self.unimplemented(context)
    }
}

/// `grpc.health.v1.Health` at the streaming level only: every method sees its request as a
/// stream, so the default registration serves even the unary `Check` as a stream.
struct GeneratedStubStreamingHealth: Grpc_Health_V1_Health.StreamingServiceProtocol {
    typealias Methods = Grpc_Health_V1_Health.Method

    func check(request: StreamingServerRequest<Methods.Check.Input>,
               context: ServerContext) async throws -> StreamingServerResponse<Methods.Check.Output> {
        var services: [String] = []
        for try await message in request.messages { services.append(message.service) }
        var answer = Methods.Check.Output()
        answer.status = services == ["boxoffice"] ? .serving : .serviceUnknown
        let (response, count) = (answer, services.count)
        return StreamingServerResponse(metadata: ["x-level": "streaming"]) { writer in
            try await writer.write(response)
            return ["x-requests": .string(String(count))]
        }
    }

    func list(request: StreamingServerRequest<Methods.List.Input>,
              context: ServerContext) async throws -> StreamingServerResponse<Methods.List.Output> {
        throw RPCError(code: .unimplemented, message: "List is not served")
    }

    func watch(request: StreamingServerRequest<Methods.Watch.Input>,
               context: ServerContext) async throws -> StreamingServerResponse<Methods.Watch.Output> {
        StreamingServerResponse { writer in
            for status in [Methods.Watch.Output.ServingStatus.notServing, .serving] {
                var response = Methods.Watch.Output()
                response.status = status
                try await writer.write(response)
            }
            return [:]
        }
    }
}
