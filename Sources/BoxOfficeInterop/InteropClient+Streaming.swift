import BoxOfficeAPI
import BoxOfficeRPC

extension InteropClient {
    static let clientStreamingSizes = [27_182, 8, 1_828, 45_904]
    static let serverStreamingSizes: [Int32] = [31_415, 9, 2_653, 58_979]

    func clientStreaming() async throws {
        let response = try await client.clientStreaming(
            request: StreamingClientRequest { writer in
                for size in Self.clientStreamingSizes {
                    var request = Grpc_Testing_StreamingInputCallRequest()
                    request.payload = .zeros(size)
                    try await writer.write(request)
                }
            },
            descriptor: Methods.StreamingInputCall.descriptor,
            responseType: Grpc_Testing_StreamingInputCallResponse.self, options: options)
        try require(response.message.aggregatedPayloadSize == 74_922,
                    "client_streaming: aggregated size \(response.message.aggregatedPayloadSize), expected 74922")
    }

    func serverStreaming() async throws {
        var request = Grpc_Testing_StreamingOutputCallRequest()
        request.responseType = .compressable
        request.responseParameters = Self.serverStreamingSizes.map(Self.parameters)
        let sizes = try await client.serverStreaming(
            request: ClientRequest(message: request), descriptor: Methods.StreamingOutputCall.descriptor,
            responseType: Grpc_Testing_StreamingOutputCallResponse.self, options: options
        ) { response in
            var sizes: [Int32] = []
            for try await message in response.messages {
                let payload = message.payload ?? Grpc_Testing_Payload()
                try require(payload.body.allSatisfy { $0 == 0 }, "server_streaming: payload is not zeros")
                sizes.append(Int32(payload.body.count))
            }
            return sizes
        }
        try require(sizes == Self.serverStreamingSizes, "server_streaming: response sizes \(sizes)")
    }

    func pingPong() async throws {
        let responseSizes = Self.serverStreamingSizes
        let requestSizes = Self.clientStreamingSizes
        // The producer sends request i+1 only after the reader has seen response i.
        let (received, receivedContinuation) = AsyncStream.makeStream(of: Void.self)
        let sizes = try await client.bidirectionalStreaming(
            request: StreamingClientRequest { writer in
                var acknowledgements = received.makeAsyncIterator()
                for (responseSize, requestSize) in zip(responseSizes, requestSizes) {
                    var request = Grpc_Testing_StreamingOutputCallRequest()
                    request.responseParameters = [Self.parameters(responseSize)]
                    request.payload = .zeros(requestSize)
                    try await writer.write(request)
                    guard await acknowledgements.next() != nil else { return }
                }
            },
            descriptor: Methods.FullDuplexCall.descriptor,
            responseType: Grpc_Testing_StreamingOutputCallResponse.self, options: options
        ) { response in
            defer { receivedContinuation.finish() }
            var sizes: [Int32] = []
            for try await message in response.messages {
                sizes.append(Int32(message.payload?.body.count ?? 0))
                receivedContinuation.yield()
            }
            return sizes
        }
        try require(sizes == responseSizes, "ping_pong: response sizes \(sizes)")
    }

    func emptyStream() async throws {
        let count = try await client.bidirectionalStreaming(
            request: StreamingClientRequest<Grpc_Testing_StreamingOutputCallRequest> { _ in },
            descriptor: Methods.FullDuplexCall.descriptor,
            responseType: Grpc_Testing_StreamingOutputCallResponse.self, options: options
        ) { response in
            var count = 0
            for try await _ in response.messages { count += 1 }
            return count
        }
        try require(count == 0, "empty_stream: \(count) responses")
    }
}
