import BoxOfficeProto
@testable import BoxOfficeRPC
import Testing

/// Our client against a Python `grpcio` server: the four call kinds, metadata, statuses, deadlines.
@Suite("Client calls against grpcio")
struct ClientLiveCallTests {
    @Test func unaryEchoesBytesAndMetadataBothWays() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            var metadata: Metadata = ["x-echo-initial-plain": "hello", "x-echo-trailing-plain": "bye"]
            metadata.addBinary([0, 1, 2, 0xfe, 0xff], forKey: "x-echo-initial-data-bin")
            metadata.addBinary([9, 8, 7], forKey: "x-echo-trailing-data-bin")
            let request = ClientRequest(message: "ping".bytes, metadata: metadata)
            let response = try await client.unary(request: request, descriptor: Echo.unary)
            #expect(response.message == "ping".bytes)
            #expect(response.metadata.firstString(forKey: "x-echo-initial-plain") == "hello")
            #expect(response.metadata[binaryValues: "x-echo-initial-data-bin"] == [[0, 1, 2, 0xfe, 0xff]])
            #expect(response.trailingMetadata.firstString(forKey: "x-echo-trailing-plain") == "bye")
            #expect(response.trailingMetadata[binaryValues: "x-echo-trailing-data-bin"] == [[9, 8, 7]])
        }
    }

    @Test func emptyAndLargeMessagesRoundTrip() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            let empty = try await client.unary(request: ClientRequest(message: []), descriptor: Echo.unary)
            #expect(empty.message == [])
            // Larger than every flow-control window involved (64 KiB defaults, our 1 MiB stream window).
            let large = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let echoed = try await client.unary(request: ClientRequest(message: large), descriptor: Echo.unary)
            #expect(echoed.message == large)
        }
    }

    @Test func errorStatusCarriesCodeAndSpecialCharacters() async throws {
        let server = try await SharedEchoServer.get()
        let text = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"
        try await withClient([server.endpoint]) { client in
            var metadata: Metadata = ["x-echo-status": "9"]
            metadata.addBinary(Array(text.utf8), forKey: "x-echo-message-bin")
            let error = await rpcError {
                try await client.unary(request: ClientRequest(message: [], metadata: metadata), descriptor: Echo.unary)
            }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message == text)
        }
    }

    @Test(arguments: [1, 3, 5, 7, 8, 12, 14, 16])
    func everyStatusCodeSurvives(code: Int) async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            let error = await rpcError {
                try await client.unary(request: ClientRequest(message: [], metadata: ["x-echo-status": .string(String(code))]),
                                       descriptor: Echo.unary)
            }
            #expect(error?.code == RPCError.Code(rawValue: code))
        }
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            let error = await rpcError {
                try await client.unary(request: ClientRequest(message: []), descriptor: Echo.method("Nope"))
            }
            #expect(error?.code == .unimplemented)
            let wrongService = MethodDescriptor(service: "nope.Service", method: "Unary", kind: .unary,
                                                inputType: "", outputType: "")
            let serviceError = await rpcError {
                try await client.unary(request: ClientRequest(message: []), descriptor: wrongService)
            }
            #expect(serviceError?.code == .unimplemented)
        }
    }

    @Test func serverStreamingDeliversEveryMessageInOrder() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            let request = ClientRequest(message: "m".bytes, metadata: ["x-count": "50"])
            let messages = try await client.serverStreaming(request: request, descriptor: Echo.serverStream) { response in
                var received: [[UInt8]] = []
                for try await message in response.messages { received.append(message) }
                return received
            }
            #expect(messages == (0..<50).map { "m".bytes + [UInt8($0)] })
        }
    }

    /// grpcio answers a server stream without messages Trailers-Only (one HEADERS frame with
    /// END_STREAM and grpc-status 0): that is an OK call with no messages.
    @Test func serverStreamingWithNoMessagesEndsOK() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            let request = ClientRequest(message: "m".bytes, metadata: ["x-count": "0"])
            let (metadata, messages) = try await client.serverStreaming(request: request, descriptor: Echo.serverStream) { response in
                var received: [[UInt8]] = []
                for try await message in response.messages { received.append(message) }
                return (response.metadata, received)
            }
            #expect(metadata.isEmpty)
            #expect(messages.isEmpty)
        }
    }

    @Test func clientStreamingSendsInteropSizes() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            let sizes = [27182, 8, 1828, 45904]
            let request = StreamingClientRequest<[UInt8]> { writer in
                for size in sizes { try await writer.write([UInt8](repeating: UInt8(size % 251), count: size)) }
            }
            let response = try await client.clientStreaming(request: request, descriptor: Echo.clientStream)
            #expect(response.message.count == 74922)
            #expect(response.message == sizes.flatMap { [UInt8](repeating: UInt8($0 % 251), count: $0) })
        }
    }

    @Test func clientStreamingWithNoMessages() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            let response = try await client.clientStreaming(request: StreamingClientRequest { _ in },
                                                            descriptor: Echo.clientStream)
            #expect(response.message == [])
        }
    }

    @Test func bidirectionalPingPong() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            // The producer sends the next message only after the previous echo arrived.
            let (echoes, echoSink) = AsyncStream<[UInt8]>.makeStream()
            let request = StreamingClientRequest<[UInt8]> { writer in
                var iterator = echoes.makeAsyncIterator()
                for round in 0..<4 {
                    try await writer.write([UInt8(round)])
                    guard await iterator.next() == [UInt8(round)] else { throw RPCError(code: .internal, message: "bad echo") }
                }
            }
            let received = try await client.bidirectionalStreaming(request: request, descriptor: Echo.bidi) { response in
                var received: [[UInt8]] = []
                for try await message in response.messages {
                    received.append(message)
                    echoSink.yield(message)
                }
                return received
            }
            #expect(received == [[0], [1], [2], [3]])
        }
    }

    @Test func slowHandlerExceedsTheDeadline() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            let start = ContinuousClock.now
            let error = await rpcError {
                // The bound stays well below the sleep at any time scale: the deadline ends the call.
                let sleep = String(5000 * TestTimeScale.factor)
                return try await client.unary(request: ClientRequest(message: [], metadata: ["x-sleep-ms": .string(sleep)]),
                                              descriptor: Echo.sleep, options: CallOptions(timeout: .milliseconds(300)))
            }
            #expect(error?.code == .deadlineExceeded)
            #expect(ContinuousClock.now - start < Duration.seconds(3).scaled)
        }
    }

    @Test func deadlineIsSentAndInheritedDeadlinePropagates() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            let none = try await client.unary(request: ClientRequest(message: []), descriptor: Echo.remaining)
            #expect(none.message == "none".bytes)

            // A handler serving a call with 3 s left makes an outgoing call: it gets at most 3 s.
            // (Budgets and the bounds on them stretch together under BOXOFFICE_TEST_TIME_SCALE.)
            let scale = TestTimeScale.factor
            let inherited = try await RPCDeadline.$current.withValue(.now + Duration.seconds(3).scaled) {
                try await client.unary(request: ClientRequest(message: []), descriptor: Echo.remaining,
                                       options: CallOptions(timeout: Duration.seconds(60).scaled))
            }
            let inheritedMs = Int(String(decoding: inherited.message, as: UTF8.self)) ?? -1
            #expect(inheritedMs > 1000 * scale && inheritedMs <= 3000 * scale + 100)  // timeouts are rounded up a little

            // The call's own shorter timeout wins over the inherited deadline.
            let own = try await RPCDeadline.$current.withValue(.now + Duration.seconds(60).scaled) {
                try await client.unary(request: ClientRequest(message: []), descriptor: Echo.remaining,
                                       options: CallOptions(timeout: Duration.seconds(2).scaled))
            }
            let ownMs = Int(String(decoding: own.message, as: UTF8.self)) ?? -1
            #expect(ownMs > 500 * scale && ownMs <= 2000 * scale + 100)

            // An inherited deadline already in the past fails at once, without a round trip.
            let expired = await rpcError {
                try await RPCDeadline.$current.withValue(.now - .seconds(1)) {
                    try await client.unary(request: ClientRequest(message: []), descriptor: Echo.remaining)
                }
            }
            #expect(expired?.code == .deadlineExceeded)
        }
    }

    @Test func cancellingTheTaskCancelsTheCall() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            let (started, startedSink) = AsyncStream<Void>.makeStream()
            let call = Task {
                try await client.bidirectionalStreaming(
                    request: StreamingClientRequest<[UInt8]> { writer in
                        try await writer.write([1])
                        try await Task.sleep(for: .seconds(30))  // ends by cancellation only
                    },
                    descriptor: Echo.bidi
                ) { response in
                    for try await _ in response.messages { startedSink.yield() }
                    return ()
                }
            }
            // The server echoed: the call is running in its handler. Now cancel it.
            var iterator = started.makeAsyncIterator()
            await iterator.next()
            call.cancel()
            let error = await rpcError { try await call.value }
            #expect(error?.code == .cancelled)

            // The connection is still good for the next call. (That the server's handler sees the
            // cancel is checked against our own server, where the handler can report it reliably.)
            let next = try await client.unary(request: ClientRequest(message: [5]), descriptor: Echo.unary)
            #expect(next.message == [5])
        }
    }

    @Test func oversizedResponseIsResourceExhausted() async throws {
        let server = try await SharedEchoServer.get()
        var configuration = testChannelConfiguration()
        configuration.connection.maxReceiveMessageSize = 1024
        try await withClient([server.endpoint], configuration: configuration) { client in
            let error = await rpcError {
                try await client.unary(request: ClientRequest(message: [], metadata: ["x-size": "2048"]), descriptor: Echo.sized)
            }
            #expect(error?.code == .resourceExhausted)
            // The connection still serves other calls.
            let ok = try await client.unary(request: ClientRequest(message: [], metadata: ["x-size": "1000"]),
                                            descriptor: Echo.sized)
            #expect(ok.message.count == 1000)
        }
    }

    @Test func manyConcurrentCallsShareThePool() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let message = Array("call-\(index)".utf8)
                        return try await client.unary(request: ClientRequest(message: message), descriptor: Echo.unary).message
                            == message
                    }
                }
                var matched = 0
                for try await ok in group where ok { matched += 1 }
                #expect(matched == 200)
            }
        }
    }
}
