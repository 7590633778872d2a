import BoxOfficeAPI
import BoxOfficeRPC
import Logging
import Testing

/// The generated clients and server protocols over a real ``GRPCServer`` on a loopback port.
@Suite("Generated stubs")
struct GeneratedStubTests {
    typealias TestService = Grpc_Testing_TestService
    typealias Inventory = Boxoffice_Inventory_V1_InventoryService

    /// Serves the router on port 0 and runs `body` with a client for it.
    @discardableResult
    private func withServer<R>(_ router: RPCRouter, _ body: (GRPCClient) async throws -> R) async throws -> R {
        let server = GRPCServer(configuration: GRPCServer.Configuration(shutdownGracePeriod: .seconds(5)), router: router,
                                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let running = Task { try await server.run() }
        let channel: GRPCChannel
        do {
            channel = GRPCChannel(endpoints: [ClientEndpoint(host: "127.0.0.1", port: try await server.listeningPort)])
        } catch {
            server.beginGracefulShutdown()
            _ = try? await running.value
            throw error
        }
        let result: Result<R, any Error>
        do {
            result = .success(try await body(GRPCClient(channel: channel)))
        } catch {
            result = .failure(error)
        }
        await channel.close()
        server.beginGracefulShutdown()
        try await running.value
        return try result.get()
    }

    @discardableResult
    private func withTestService<R>(_ body: (TestService.Client) async throws -> R) async throws -> R {
        var router = RPCRouter()
        GeneratedStubTestService().registerMethods(with: &router)
        return try await withServer(router) { try await body(TestService.Client(wrapping: $0)) }
    }

    private func streamingRequest(sizes: [Int32]) -> Grpc_Testing_StreamingOutputCallRequest {
        var request = Grpc_Testing_StreamingOutputCallRequest()
        request.responseParameters = sizes.map { size in
            var parameters = Grpc_Testing_ResponseParameters()
            parameters.size = size
            return parameters
        }
        return request
    }

    @Test("registerMethods registers every TestService method with its own call kind")
    func registersEveryMethod() {
        var router = RPCRouter()
        GeneratedStubTestService().registerMethods(with: &router)
        #expect(router.paths == TestService.descriptor.methods.map(\.path).sorted())
        #expect(router.paths.count == 8)
    }

    @Test("unary: the simple protocol answers, the client returns the message and the full response")
    func unary() async throws {
        try await withTestService { client in
            var request = Grpc_Testing_SimpleRequest()
            request.responseSize = 314
            let message = try await client.unaryCall(request)
            #expect(message.payload?.body.count == 314)

            let response = try await client.unaryCall(request: ClientRequest(message: request))
            #expect(response.message.payload?.body.count == 314)

            _ = try await client.emptyCall(Grpc_Testing_Empty())
        }
    }

    @Test("unary: a thrown RPCError reaches the client with its code and message")
    func unaryErrorStatus() async throws {
        try await withTestService { client in
            var request = Grpc_Testing_SimpleRequest()
            var status = Grpc_Testing_EchoStatus()
            status.code = Int32(RPCError.Code.failedPrecondition.rawValue)
            status.message = "seats gone \u{1F3AB}"
            request.responseStatus = status
            await #expect {
                try await client.unaryCall(request)
            } throws: { error in
                guard let error = error as? RPCError else { return false }
                return error.code == .failedPrecondition && error.message == "seats gone \u{1F3AB}"
            }
            await #expect {
                try await client.unimplementedCall(Grpc_Testing_Empty())
            } throws: { error in
                (error as? RPCError)?.code == .unimplemented
            }
        }
    }

    @Test("server streaming: one response per requested size, in order")
    func serverStreaming() async throws {
        let sizes: [Int32] = [31415, 9, 2653, 58979]
        let received = try await withTestService { client in
            try await client.streamingOutputCall(streamingRequest(sizes: sizes)) { response in
                var counts: [Int] = []
                for try await message in response.messages { counts.append(message.payload?.body.count ?? -1) }
                return counts
            }
        }
        #expect(received == sizes.map(Int.init))
    }

    @Test("client streaming: the server sums the payloads of a producer and of a sequence")
    func clientStreaming() async throws {
        let sizes = [27182, 8, 1828, 45904]
        let requests = sizes.map { size in
            var request = Grpc_Testing_StreamingInputCallRequest()
            request.payload = GeneratedStubTestService.payload(size: Int32(size))
            return request
        }
        try await withTestService { client in
            let fromProducer = try await client.streamingInputCall { writer in
                try await writer.write(contentsOf: requests)
            }
            #expect(fromProducer.aggregatedPayloadSize == 74922)
            let fromSequence = try await client.streamingInputCall(requests)
            #expect(fromSequence.aggregatedPayloadSize == 74922)
            let empty = try await client.streamingInputCall([Grpc_Testing_StreamingInputCallRequest]())
            #expect(empty.aggregatedPayloadSize == 0)
        }
    }

    @Test("bidirectional streaming: ping-pong, each request answered before the next is sent")
    func bidirectionalStreaming() async throws {
        let sizes: [Int32] = [31415, 9, 2653, 58979]
        let (answers, answered) = AsyncStream.makeStream(of: Int32.self)
        let received = try await withTestService { client in
            try await client.fullDuplexCall { writer in
                var iterator = answers.makeAsyncIterator()
                for size in sizes {
                    try await writer.write(streamingRequest(sizes: [size]))
                    // Wait for the answer: the server streams responses while requests are open.
                    guard await iterator.next() != nil else { return }
                }
            } onResponse: { response in
                var counts: [Int32] = []
                for try await message in response.messages {
                    let count = Int32(message.payload?.body.count ?? -1)
                    counts.append(count)
                    answered.yield(count)
                }
                answered.finish()
                return counts
            }
        }
        #expect(received == sizes)
    }

    @Test("bidirectional streaming: an error thrown mid-stream ends the call with its status")
    func bidirectionalErrorStatus() async throws {
        try await withTestService { client in
            await #expect {
                try await client.fullDuplexCall { writer in
                    var failing = Grpc_Testing_StreamingOutputCallRequest()
                    var status = Grpc_Testing_EchoStatus()
                    status.code = Int32(RPCError.Code.resourceExhausted.rawValue)
                    status.message = "sold out"
                    failing.responseStatus = status
                    try await writer.write(failing)
                } onResponse: { response in
                    var count = 0
                    for try await _ in response.messages { count += 1 }
                    return count
                }
            } throws: { error in
                guard let error = error as? RPCError else { return false }
                return error.code == .resourceExhausted && error.message == "sold out"
            }
        }
    }

    @Test("a domain service: InventoryService registers all methods; GetHold answers with trailers, the rest UNIMPLEMENTED")
    func inventoryService() async throws {
        var router = RPCRouter()
        GeneratedStubInventory().registerMethods(with: &router)
        #expect(router.paths == Inventory.descriptor.methods.map(\.path).sorted())
        try await withServer(router) { raw in
            let client = Inventory.Client(wrapping: raw)
            var request = Inventory.Method.GetHold.Input()
            request.holdID = "hold-42"
            let response = try await client.getHold(request: ClientRequest(message: request, metadata: ["x-tag": "t1"]))
            #expect(response.message.hold?.id == "hold-42")
            #expect(response.trailingMetadata.firstString(forKey: "x-tag") == "t1")

            await #expect {
                try await client.holdSeats(Inventory.Method.HoldSeats.Input())
            } throws: { error in
                guard let error = error as? RPCError else { return false }
                return error.code == .unimplemented && error.message.contains("HoldSeats")
            }
        }
    }

    @Test("streaming level: the default registration serves unary and server-streaming methods as streams")
    func streamingLevel() async throws {
        var router = RPCRouter()
        GeneratedStubStreamingHealth().registerMethods(with: &router)
        try await withServer(router) { raw in
            let client = Grpc_Health_V1_Health.Client(wrapping: raw)
            var request = Grpc_Health_V1_HealthCheckRequest()
            request.service = "boxoffice"
            let response = try await client.check(request: ClientRequest(message: request))
            #expect(response.message.status == .serving)
            #expect(response.metadata.firstString(forKey: "x-level") == "streaming")
            #expect(response.trailingMetadata.firstString(forKey: "x-requests") == "1")

            let statuses = try await client.watch(request) { response in
                var statuses: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
                for try await message in response.messages { statuses.append(message.status) }
                return statuses
            }
            #expect(statuses == [.notServing, .serving])
        }
    }
}
