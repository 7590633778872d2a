import BoxOfficeLocks
import BoxOfficeProto
@testable import BoxOfficeRPC
import Logging
import Testing

/// Our client against our ``GRPCServer``: both halves of the runtime speaking to each other.
@Suite("Client against GRPCServer")
struct ClientOurServerTests {
    static let echo = "/boxoffice.test.Echo/"

    /// Runs `body` against a server on a free loopback port with the test routes.
    private func withServer(_ body: (GRPCClient, ServerProbe) async throws -> Void) async throws {
        let probe = ServerProbe()
        var router = RPCRouter()
        router.registerUnary(path: Self.echo + "Unary") { request, _ in
            var trailers = Metadata()
            for element in request.metadata where element.key.hasPrefix("x-echo-") {
                trailers.add(key: element.key, value: element.value)
            }
            if let code = request.metadata.firstString(forKey: "x-status").flatMap(Int.init) {
                throw RPCError(code: RPCError.Code(rawValue: code),
                               message: String(decoding: request.metadata[binaryValues: "x-message-bin"].first ?? [], as: UTF8.self))
            }
            return ServerResponse(message: request.message, metadata: trailers, trailingMetadata: trailers)
        }
        router.registerUnary(path: Self.echo + "Remaining") { _, context in
            let remaining = context.remainingTime.map { String($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) }
            return ServerResponse(message: Array((remaining ?? "none").utf8))
        }
        router.registerUnary(path: Self.echo + "Relay") { request, context in
            // A handler calling another service: the outgoing call inherits the remaining budget.
            let port = Int(request.metadata.firstString(forKey: "x-port") ?? "") ?? 0
            let channel = GRPCChannel(endpoints: [ClientEndpoint(host: "127.0.0.1", port: port)])
            let inner: Result<ClientResponse<[UInt8]>, any Error>
            do {
                inner = .success(try await GRPCClient(channel: channel).unary(
                    request: ClientRequest(message: []), descriptor: Echo.method("Remaining"),
                    options: CallOptions(inheriting: context)))
            } catch {
                inner = .failure(error)
            }
            await channel.close()
            return ServerResponse(message: try inner.get().message)
        }
        router.registerUnary(path: Self.echo + "RemainingMicroseconds") { _, context in
            ServerResponse(message: Array((context.remainingTime.map { String(Self.microseconds($0)) } ?? "none").utf8))
        }
        router.registerUnary(path: Self.echo + "RelayWithoutOptions") { request, context in
            // No CallOptions: the outgoing call must pick up the deadline the server set for us.
            let port = Int(request.metadata.firstString(forKey: "x-port") ?? "") ?? 0
            let before = context.remainingTime.map { String(Self.microseconds($0)) } ?? "none"
            let channel = GRPCChannel(endpoints: [ClientEndpoint(host: "127.0.0.1", port: port)])
            let inner: Result<ClientResponse<[UInt8]>, any Error>
            do {
                inner = .success(try await GRPCClient(channel: channel).unary(
                    request: ClientRequest(message: []), descriptor: Echo.method("RemainingMicroseconds")))
            } catch {
                inner = .failure(error)
            }
            await channel.close()
            return ServerResponse(message: Array((before + " " + String(decoding: try inner.get().message, as: UTF8.self)).utf8))
        }
        router.registerUnary(path: Self.echo + "Sleep") { request, _ in
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                probe.record("sleep cancelled")
                throw error
            }
            return ServerResponse(message: request.message)
        }
        router.registerServerStreaming(path: Self.echo + "ServerStream") { request, _ in
            StreamingServerResponse { writer in
                for index in 0..<20 { try await writer.write(request.message + [UInt8(index)]) }
                return ["x-done": "yes"]
            }
        }
        router.registerServerStreaming(path: Self.echo + "EmptyStream") { _, _ in
            StreamingServerResponse { _ in ["x-done": "empty"] }
        }
        router.registerServerStreaming(path: Self.echo + "Endless") { _, _ in
            StreamingServerResponse { writer in
                do {
                    for index in 0..<1_000_000 {
                        try await writer.write([UInt8(truncatingIfNeeded: index)])
                        try Task.checkCancellation()
                    }
                } catch {
                    probe.record("endless stream cancelled")
                    throw error
                }
                return [:]
            }
        }
        router.registerClientStreaming(path: Self.echo + "ClientStream") { request, _ in
            var all: [UInt8] = []
            for try await message in request.messages { all += message }
            return ServerResponse(message: all)
        }
        router.registerClientStreaming(path: Self.echo + "SlowReader") { request, _ in
            await probe.waitForGate()
            var total = 0
            for try await message in request.messages { total += message.count }
            return ServerResponse(message: Array(String(total).utf8))
        }
        router.registerBidirectionalStreaming(path: Self.echo + "Bidi") { request, _ in
            StreamingServerResponse { writer in
                do {
                    for try await message in request.messages { try await writer.write(message) }
                } catch {
                    probe.record("bidi ended by \(type(of: error))")
                    throw error
                }
                return [:]
            }
        }
        let server = GRPCServer(configuration: GRPCServer.Configuration(shutdownGracePeriod: .seconds(5)), router: router,
                                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let running = Task { try await server.run() }
        do {
            let port = try await server.listeningPort
            try await withClient([ClientEndpoint(host: "127.0.0.1", port: port)]) { client in
                try await body(client, probe)
            }
        } catch {
            server.beginGracefulShutdown()
            _ = try? await running.value
            throw error
        }
        server.beginGracefulShutdown()
        try await running.value
    }

    private static func microseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
    }

    private func method(_ name: String, _ kind: RPCKind = .unary) -> MethodDescriptor {
        Echo.method(name, kind)
    }

    @Test func unaryWithMetadataBothWays() async throws {
        try await withServer { client, _ in
            var metadata: Metadata = ["x-echo-text": "hi"]
            metadata.addBinary([0, 255, 7], forKey: "x-echo-data-bin")
            let response = try await client.unary(request: ClientRequest(message: [1, 2, 3], metadata: metadata),
                                                  descriptor: method("Unary"))
            #expect(response.message == [1, 2, 3])
            #expect(response.metadata.firstString(forKey: "x-echo-text") == "hi")
            #expect(response.trailingMetadata[binaryValues: "x-echo-data-bin"] == [[0, 255, 7]])
        }
    }

    @Test func errorStatusWithSpecialCharacters() async throws {
        let text = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"
        try await withServer { client, _ in
            var metadata: Metadata = ["x-status": "10"]
            metadata.addBinary(Array(text.utf8), forKey: "x-message-bin")
            let error = await rpcError {
                try await client.unary(request: ClientRequest(message: [], metadata: metadata), descriptor: method("Unary"))
            }
            #expect(error?.code == .aborted)
            #expect(error?.message == text)
            let missing = await rpcError {
                try await client.unary(request: ClientRequest(message: []), descriptor: method("Missing"))
            }
            #expect(missing?.code == .unimplemented)
        }
    }

    @Test func streamingKinds() async throws {
        try await withServer { client, _ in
            let streamed = try await client.serverStreaming(request: ClientRequest(message: [9]),
                                                            descriptor: method("ServerStream", .serverStreaming)) { response in
                var messages: [[UInt8]] = []
                var trailers: Metadata = [:]
                for try await part in response.bodyParts {
                    switch part {
                    case .message(let message): messages.append(message)
                    case .trailingMetadata(let metadata): trailers = metadata
                    }
                }
                return (messages, trailers)
            }
            #expect(streamed.0 == (0..<20).map { [9, UInt8($0)] })
            #expect(streamed.1.firstString(forKey: "x-done") == "yes")

            let sizes = [27182, 8, 1828, 45904]
            let collected = try await client.clientStreaming(
                request: StreamingClientRequest<[UInt8]> { writer in
                    for size in sizes { try await writer.write([UInt8](repeating: 1, count: size)) }
                },
                descriptor: method("ClientStream", .clientStreaming))
            #expect(collected.message.count == 74922)

            let echoed = try await client.bidirectionalStreaming(
                request: StreamingClientRequest<[UInt8]> { writer in
                    for index in 0..<10 { try await writer.write([UInt8(index)]) }
                },
                descriptor: method("Bidi", .bidirectionalStreaming)
            ) { response in
                var messages: [[UInt8]] = []
                for try await message in response.messages { messages.append(message) }
                return messages
            }
            #expect(echoed == (0..<10).map { [UInt8($0)] })
        }
    }

    @Test func emptyServerStreamEndsOKWithItsTrailers() async throws {
        try await withServer { client, _ in
            let (metadata, messageCount, trailers) = try await client.serverStreaming(
                request: ClientRequest(message: []), descriptor: method("EmptyStream", .serverStreaming)
            ) { response in
                var messageCount = 0
                var trailers: Metadata = [:]
                for try await part in response.bodyParts {
                    switch part {
                    case .message: messageCount += 1
                    case .trailingMetadata(let metadata): trailers = metadata
                    }
                }
                return (response.metadata, messageCount, trailers)
            }
            #expect(metadata.isEmpty)
            #expect(messageCount == 0)
            #expect(trailers.firstString(forKey: "x-done") == "empty")
        }
    }

    @Test func deadlineReachesTheServerAndExpires() async throws {
        try await withServer { client, probe in
            let scale = TestTimeScale.factor  // budgets and their bounds stretch together
            let remaining = try await client.unary(request: ClientRequest(message: []), descriptor: method("Remaining"),
                                                   options: CallOptions(timeout: Duration.seconds(5).scaled))
            let milliseconds = Int(String(decoding: remaining.message, as: UTF8.self)) ?? -1
            #expect(milliseconds > 3000 * scale && milliseconds <= 5000 * scale)

            let error = await rpcError {
                try await client.unary(request: ClientRequest(message: []), descriptor: method("Sleep"),
                                       options: CallOptions(timeout: .milliseconds(200)))
            }
            #expect(error?.code == .deadlineExceeded)
            // The server cancelled its handler too (its own deadline, or our RST_STREAM).
            try await probe.waitFor("sleep cancelled")
        }
    }

    @Test func slowReaderReceivesEveryRequestByte() async throws {
        try await withServer { client, probe in
            let chunk = [UInt8](repeating: 7, count: 256 * 1024)
            let call = Task {
                try await client.clientStreaming(
                    request: StreamingClientRequest<[UInt8]> { writer in
                        for _ in 0..<64 { try await writer.write(chunk) }
                    },
                    descriptor: method("SlowReader", .clientStreaming))
            }
            probe.openGate()
            let response = try await call.value
            #expect(response.message == Array(String(64 * 256 * 1024).utf8))
        }
    }

    @Test func handlerPassesItsRemainingBudgetOn() async throws {
        try await withServer { client, _ in
            let port = client.channel.endpoints[0].port
            let response = try await client.unary(
                request: ClientRequest(message: [], metadata: ["x-port": .string(String(port))]),
                descriptor: method("Relay"), options: CallOptions(timeout: Duration.seconds(4).scaled))
            let milliseconds = Int(String(decoding: response.message, as: UTF8.self)) ?? -1
            let scale = TestTimeScale.factor  // budgets and their bounds stretch together
            #expect(milliseconds > 2000 * scale && milliseconds < 4000 * scale)
        }
    }

    @Test func handlerCallsInheritTheDeadlineWithoutOptions() async throws {
        try await withServer { first, _ in
            try await withServer { second, _ in
                let port = second.channel.endpoints[0].port
                let response = try await first.unary(
                    request: ClientRequest(message: [], metadata: ["x-port": .string(String(port))]),
                    descriptor: method("RelayWithoutOptions"), options: CallOptions(timeout: Duration.seconds(4).scaled))
                // "<first handler's budget> <second handler's budget>" in µs; "none" without a deadline.
                let reply = String(decoding: response.message, as: UTF8.self)
                let budgets = reply.split(separator: " ").map { Int($0) }
                guard budgets.count == 2, let firstBudget = budgets[0], let secondBudget = budgets[1] else {
                    Issue.record("expected two deadlines, got \"\(reply)\"")
                    return
                }
                // grpc-timeout rounds up to the microsecond; otherwise the second budget is what
                // was left of the first when the call was made.
                #expect(secondBudget <= firstBudget + 1)
                let scale = TestTimeScale.factor  // budgets and their bounds stretch together
                #expect(firstBudget <= 4_000_000 * scale && secondBudget > 2_000_000 * scale)
            }
        }
    }

    @Test func returningEarlyFromAResponseCancelsTheRest() async throws {
        try await withServer { client, probe in
            let first = try await client.serverStreaming(request: ClientRequest(message: []),
                                                         descriptor: method("Endless", .serverStreaming)) { response in
                var iterator = response.messages.makeAsyncIterator()
                return try await iterator.next()
            }
            #expect(first == [0])
            try await probe.waitFor("endless stream cancelled")
        }
    }

    @Test func cancellationReachesTheHandler() async throws {
        try await withServer { client, probe in
            let (echoes, echoSink) = AsyncStream<Void>.makeStream()
            let call = Task {
                try await client.bidirectionalStreaming(
                    request: StreamingClientRequest<[UInt8]> { writer in
                        try await writer.write([1])
                        try await Task.sleep(for: .seconds(30))
                    },
                    descriptor: method("Bidi", .bidirectionalStreaming)
                ) { response in
                    for try await _ in response.messages { echoSink.yield() }
                }
            }
            var iterator = echoes.makeAsyncIterator()
            await iterator.next()
            call.cancel()
            let error = await rpcError { try await call.value }
            #expect(error?.code == .cancelled)
            try await probe.waitFor { $0.hasPrefix("bidi ended by") }
        }
    }
}

/// What handlers report to the test, awaitable with a bound.
final class ServerProbe: Sendable {
    private let events = AnnotatedMutex<[String]>([])
    private let gate = AsyncStream<Void>.makeStream()

    /// Suspends a handler until ``openGate()``.
    func waitForGate() async {
        var iterator = gate.stream.makeAsyncIterator()
        await iterator.next()
    }

    func openGate() {
        gate.continuation.finish()
    }

    func record(_ event: String) {
        events.withLock { $0.append(event) }
    }

    func waitFor(_ event: String) async throws {
        try await waitFor { $0 == event }
    }

    /// Polls (every 10 ms, at most 5 s) for an event matching `predicate`.
    func waitFor(_ predicate: (String) -> Bool) async throws {
        for _ in 0..<500 {
            if events.withLock({ $0.contains(where: predicate) }) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("event not seen; saw \(events.withLock { $0 })")
    }
}
