import Foundation
@testable import BoxOfficeRPC
import NIOCore
import Testing

/// The channel against real servers that come and go: balancing, failover, reconnect, GOAWAY.
@Suite("Client channel against grpcio")
struct ClientLiveChannelTests {
    private func whoAmI(_ client: GRPCClient, options: CallOptions = .defaults) async throws -> String {
        let response = try await client.unary(request: ClientRequest(message: []), descriptor: Echo.whoAmI, options: options)
        return String(decoding: response.message, as: UTF8.self)
    }

    @Test func callsAlternateBetweenEndpoints() async throws {
        async let a = PythonEchoServer.start(name: "a")
        async let b = PythonEchoServer.start(name: "b")
        let servers = try await [a, b]
        defer { servers.forEach { $0.stop() } }
        try await withClient(servers.map(\.endpoint)) { client in
            var names: [String] = []
            for _ in 0..<6 { names.append(try await whoAmI(client)) }
            #expect(names.filter { $0 == "a" }.count == 3)
            #expect(names.filter { $0 == "b" }.count == 3)
        }
    }

    @Test func unreachableEndpointIsAvoided() async throws {
        let live = try await PythonEchoServer.start(name: "live")
        defer { live.stop() }
        let dead = ClientEndpoint(host: "127.0.0.1", port: try await closedLoopbackPort())
        var configuration = testChannelConfiguration()
        configuration.backoff = ConnectionBackoff(initial: .seconds(30), maximum: .seconds(30))
        try await withClient([dead, live.endpoint], configuration: configuration) { client in
            // Every call succeeds: the first one to pick the dead endpoint fails over within the call.
            var names: [String] = []
            for _ in 0..<6 { names.append(try await whoAmI(client)) }
            #expect(names == Array(repeating: "live", count: 6))
        }
    }

    @Test func hungEndpointIsAvoided() async throws {
        async let a = PythonEchoServer.start(name: "hung")
        async let b = PythonEchoServer.start(name: "live")
        let (hung, live) = try await (a, b)
        defer { hung.resume(); hung.stop(); live.stop() }
        // A stopped process: the kernel still completes TCP handshakes, but HTTP/2 never starts.
        hung.pause()
        var configuration = testChannelConfiguration()
        // Short enough to skip the hung endpoint quickly, long enough for the live one to connect.
        configuration.connection.connectTimeout = TimeAmount.milliseconds(500).scaled
        configuration.backoff = ConnectionBackoff(initial: .seconds(30), maximum: .seconds(30))
        try await withClient([hung.endpoint, live.endpoint], configuration: configuration) { client in
            let start = ContinuousClock.now
            var names: [String] = []
            for _ in 0..<6 { names.append(try await whoAmI(client)) }
            #expect(names == Array(repeating: "live", count: 6))
            #expect(ContinuousClock.now - start < Duration.seconds(4).scaled)
        }
    }

    @Test func deadlineBoundsTheWaitForAConnection() async throws {
        let hung = try await PythonEchoServer.start(name: "hung")
        defer { hung.resume(); hung.stop() }
        hung.pause()
        var configuration = testChannelConfiguration()
        // The bound stays well below the connect timeout at any time scale: the deadline ends the wait.
        configuration.connection.connectTimeout = TimeAmount.seconds(10).scaled
        try await withClient([hung.endpoint], configuration: configuration) { client in
            let start = ContinuousClock.now
            let error = await rpcError { try await whoAmI(client, options: CallOptions(timeout: .milliseconds(300))) }
            #expect(error?.code == .deadlineExceeded)
            #expect(ContinuousClock.now - start < Duration.seconds(3).scaled)
        }
    }

    @Test func endpointNotServingIsAvoidedWhenHealthChecked() async throws {
        async let a = PythonEchoServer.start(name: "sick", health: "NOT_SERVING")
        async let b = PythonEchoServer.start(name: "well")
        let (sick, well) = try await (a, b)
        defer { sick.stop(); well.stop() }
        var configuration = testChannelConfiguration()
        configuration.healthCheckService = "boxoffice.test.Echo"
        configuration.backoff = ConnectionBackoff(initial: .seconds(30), maximum: .seconds(30))
        try await withClient([sick.endpoint, well.endpoint], configuration: configuration) { client in
            var names: [String] = []
            for _ in 0..<4 { names.append(try await whoAmI(client)) }
            #expect(names == ["well", "well", "well", "well"])
        }
        // Without the check, the same endpoint takes calls.
        try await withClient([sick.endpoint]) { client in
            let name = try await whoAmI(client)
            #expect(name == "sick")
        }
    }

    @Test func everyEndpointDownIsUnavailable() async throws {
        let dead = ClientEndpoint(host: "127.0.0.1", port: try await closedLoopbackPort())
        try await withClient([dead]) { client in
            let error = await rpcError { try await whoAmI(client) }
            #expect(error?.code == .unavailable)
            // While backing off, calls fail fast without connecting.
            let again = await rpcError { try await whoAmI(client) }
            #expect(again?.code == .unavailable)
        }
    }

    @Test func reconnectsAfterTheServerRestarts() async throws {
        let first = try await PythonEchoServer.start(name: "first")
        let port = first.port
        try await withClient([first.endpoint]) { client in
            let before = try await whoAmI(client)
            #expect(before == "first")
            first.kill()
            let error = await rpcError { try await whoAmI(client) }
            #expect(error?.code == .unavailable)

            let second = try await PythonEchoServer.start(name: "second", port: port)
            defer { second.stop() }
            // waitForReady rides out the backoff (50 ms growing to at most 500 ms) until the deadline.
            let name = try await whoAmI(client, options: CallOptions(timeout: .seconds(10), waitForReady: true))
            #expect(name == "second")
        }
    }

    @Test func inFlightCallSurvivesGracefulShutdownAndNewCallsFailOver() async throws {
        async let a = PythonEchoServer.start(name: "a")
        async let b = PythonEchoServer.start(name: "b")
        let (draining, other) = try await (a, b)
        defer { draining.stop(); other.stop() }
        var configuration = testChannelConfiguration()
        configuration.connectionsPerEndpoint = 1
        try await withClient([draining.endpoint, other.endpoint], configuration: configuration) { client in
            // A bidi call to "a" (the first endpoint) is in its handler when "a" starts to shut down.
            let (echoes, echoSink) = AsyncStream<[UInt8]>.makeStream()
            let (proceed, proceedSink) = AsyncStream<Void>.makeStream()
            defer { proceedSink.finish() }  // a failing test must not leave the producer waiting
            let call = Task {
                // However the call ends, the wait for its first echo below ends too.
                defer { echoSink.finish() }
                return try await client.bidirectionalStreaming(
                    request: StreamingClientRequest<[UInt8]> { writer in
                        try await writer.write([1])
                        var iterator = proceed.makeAsyncIterator()
                        await iterator.next()
                        try await writer.write([2])
                    },
                    descriptor: Echo.bidi
                ) { response in
                    var received: [[UInt8]] = []
                    for try await message in response.messages {
                        received.append(message)
                        echoSink.yield(message)
                    }
                    return received
                }
            }
            var echoIterator = echoes.makeAsyncIterator()
            #expect(await echoIterator.next() == [1])
            draining.terminateGracefully()
            // Once the GOAWAY has arrived (its timing is grpcio's), new calls land on "b" only:
            // "a" takes no new stream and has closed its listener. A call that reaches "a" after
            // its shutdown began but before the GOAWAY reached us is cancelled by grpcio (its own
            // client sees the same race); such a call counts as not landing on "b".
            var consecutiveB = 0
            for _ in 0..<200 where consecutiveB < 8 {
                do {
                    let name = try await whoAmI(client, options: CallOptions(timeout: .seconds(10), waitForReady: true))
                    consecutiveB = name == "b" ? consecutiveB + 1 : 0
                } catch let error as RPCError where error.code == .cancelled {
                    consecutiveB = 0
                }
            }
            #expect(consecutiveB == 8)
            // The call already running on "a" finishes normally.
            proceedSink.yield()
            let received = try await call.value
            #expect(received == [[1], [2]])
        }
    }

    @Test func keepaliveDetectsADeadServer() async throws {
        let server = try await PythonEchoServer.start(name: "frozen")
        defer { server.resume(); server.stop() }
        var configuration = testChannelConfiguration()
        // A live server answers a ping well within the timeout; a stopped one never does.
        configuration.connection.keepaliveInterval = TimeAmount.milliseconds(100).scaled
        configuration.connection.keepaliveTimeout = TimeAmount.milliseconds(300).scaled
        try await withClient([server.endpoint], configuration: configuration) { client in
            let before = try await whoAmI(client)
            #expect(before == "frozen")
            // A stopped process keeps its socket open but answers nothing, like a dead host.
            server.pause()
            let start = ContinuousClock.now
            let error = await rpcError {
                try await client.unary(request: ClientRequest(message: []), descriptor: Echo.unary,
                                       options: CallOptions(timeout: .seconds(20)))
            }
            #expect(error?.code == .unavailable)
            #expect(ContinuousClock.now - start < Duration.seconds(5).scaled)
        }
    }

    @Test func connectionChurnLeaksNoSockets() async throws {
        // Its own server: tests running alongside open and close sockets to the shared one.
        let server = try await PythonEchoServer.start(name: "churn")
        defer { server.stop() }
        let before = try openSockets(toPort: server.port)
        for _ in 0..<20 {
            try await withClient([server.endpoint]) { client in
                _ = try await whoAmI(client)
            }
        }
        // Every channel closed and awaited its connections: no socket to the server remains.
        #expect(try openSockets(toPort: server.port) == before)
    }

    /// How many of this process's file descriptors are TCP sockets connected to `port`.
    private func openSockets(toPort port: Int) throws -> Int {
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        var inodes = Set<String>()
        for descriptor in descriptors {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)"),
                  target.hasPrefix("socket:[") else { continue }
            inodes.insert(String(target.dropFirst(8).dropLast()))
        }
        let hexPort = String(format: ":%04X", port)
        var count = 0
        for table in ["/proc/self/net/tcp", "/proc/self/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, fields[2].hasSuffix(hexPort), inodes.contains(String(fields[9])) else { continue }
                count += 1
            }
        }
        return count
    }
}
