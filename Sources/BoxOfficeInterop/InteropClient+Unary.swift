import BoxOfficeAPI
import BoxOfficeRPC

extension InteropClient {
    func emptyUnary() async throws {
        let response = try await client.unary(
            request: ClientRequest(message: Grpc_Testing_Empty()), descriptor: Methods.EmptyCall.descriptor,
            responseType: Grpc_Testing_Empty.self, options: options)
        try require(response.message == Grpc_Testing_Empty(), "empty_unary: response is not empty")
    }

    func largeUnary() async throws {
        let response = try await unaryCall(Self.largeRequest())
        try require(response.message.payload == Grpc_Testing_Payload.zeros(314_159),
                    "large_unary: expected 314159 zero bytes, got \(response.message.payload?.body.count ?? -1) bytes")
    }

    func customMetadata() async throws {
        var metadata: Metadata = [:]
        metadata.addString(InteropMetadata.initialValue, forKey: InteropMetadata.echoInitialKey)
        metadata.addBinary(InteropMetadata.trailingValue, forKey: InteropMetadata.echoTrailingKey)

        let unary = try await unaryCall(Self.largeRequest(), metadata: metadata)
        try require(unary.message.payload == Grpc_Testing_Payload.zeros(314_159), "custom_metadata: wrong unary payload")
        try checkEcho(initial: unary.metadata, trailing: unary.trailingMetadata, call: "unary")

        var request = Grpc_Testing_StreamingOutputCallRequest()
        request.responseParameters = [Self.parameters(314_159)]
        request.payload = .zeros(271_828)
        let (headers, responses, trailers) = try await client.bidirectionalStreaming(
            request: StreamingClientRequest(metadata: metadata) { [request] in try await $0.write(request) },
            descriptor: Methods.FullDuplexCall.descriptor, responseType: Grpc_Testing_StreamingOutputCallResponse.self,
            options: options
        ) { response in
            var payloads: [Grpc_Testing_Payload] = []
            var trailers: Metadata = [:]
            for try await part in response.bodyParts {
                switch part {
                case .message(let message): payloads.append(message.payload ?? Grpc_Testing_Payload())
                case .trailingMetadata(let received): trailers = received
                }
            }
            return (response.metadata, payloads, trailers)
        }
        try require(responses == [Grpc_Testing_Payload.zeros(314_159)], "custom_metadata: wrong full-duplex responses")
        try checkEcho(initial: headers, trailing: trailers, call: "full duplex")
    }

    func statusCodeAndMessage() async throws {
        let status = Self.echoStatus(code: 2, message: "test status message")
        var request = Grpc_Testing_SimpleRequest()
        request.responseStatus = status
        try await expectStatus(.unknown, message: status.message, "status_code_and_message (unary)") {
            _ = try await unaryCall(request)
        }
        var streamed = Grpc_Testing_StreamingOutputCallRequest()
        streamed.responseStatus = status
        try await expectStatus(.unknown, message: status.message, "status_code_and_message (full duplex)") {
            try await client.bidirectionalStreaming(
                request: StreamingClientRequest { [streamed] in try await $0.write(streamed) },
                descriptor: Methods.FullDuplexCall.descriptor,
                responseType: Grpc_Testing_StreamingOutputCallResponse.self, options: options
            ) { response in
                for try await _ in response.messages {}
            }
        }
    }

    func specialStatusMessage() async throws {
        let status = Self.echoStatus(code: 2, message: "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n")
        var request = Grpc_Testing_SimpleRequest()
        request.responseStatus = status
        try await expectStatus(.unknown, message: status.message, "special_status_message") {
            _ = try await unaryCall(request)
        }
    }

    func unimplementedMethod() async throws {
        try await expectStatus(.unimplemented, "unimplemented_method") {
            _ = try await client.unary(
                request: ClientRequest(message: Grpc_Testing_Empty()),
                descriptor: Methods.UnimplementedCall.descriptor, responseType: Grpc_Testing_Empty.self, options: options)
        }
    }

    func unimplementedService() async throws {
        try await expectStatus(.unimplemented, "unimplemented_service") {
            _ = try await client.unary(
                request: ClientRequest(message: Grpc_Testing_Empty()),
                descriptor: Grpc_Testing_UnimplementedService.Method.UnimplementedCall.descriptor,
                responseType: Grpc_Testing_Empty.self, options: options)
        }
    }

    // MARK: Helpers

    func unaryCall(_ request: Grpc_Testing_SimpleRequest, metadata: Metadata = [:])
        async throws -> ClientResponse<Grpc_Testing_SimpleResponse> {
        try await client.unary(request: ClientRequest(message: request, metadata: metadata),
                               descriptor: Methods.UnaryCall.descriptor,
                               responseType: Grpc_Testing_SimpleResponse.self, options: options)
    }

    static func largeRequest() -> Grpc_Testing_SimpleRequest {
        var request = Grpc_Testing_SimpleRequest()
        request.responseType = .compressable
        request.responseSize = 314_159
        request.payload = .zeros(271_828)
        return request
    }

    static func parameters(_ size: Int32) -> Grpc_Testing_ResponseParameters {
        var parameters = Grpc_Testing_ResponseParameters()
        parameters.size = size
        return parameters
    }

    static func echoStatus(code: Int32, message: String) -> Grpc_Testing_EchoStatus {
        var status = Grpc_Testing_EchoStatus()
        status.code = code
        status.message = message
        return status
    }

    private func checkEcho(initial: Metadata, trailing: Metadata, call: String) throws {
        let echoedInitial = initial[stringValues: InteropMetadata.echoInitialKey]
        try require(echoedInitial == [InteropMetadata.initialValue],
                    "custom_metadata (\(call)): initial metadata echo was \(echoedInitial)")
        let echoedTrailing = trailing[binaryValues: InteropMetadata.echoTrailingKey]
        try require(echoedTrailing == [InteropMetadata.trailingValue],
                    "custom_metadata (\(call)): trailing metadata echo was \(echoedTrailing)")
    }
}
