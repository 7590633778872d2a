@testable import BoxOfficeRPC
import Foundation
import Testing

extension Echo {
    static let counted = method("Counted", .serverStreaming)
    static let yielded = method("Yielded")
}

/// A grpcio server streams to our client, which reads slowly: HTTP/2 flow control must hold the
/// server back (grpcio takes the next message from its generator only once the previous one has
/// passed flow control), and every message must still arrive, in order.
@Suite("Client response back-pressure")
struct ClientResponseBackPressureTests {
    static let window = 64 * 1024
    static let messageSize = 8 * 1024
    static let wireSize = messageSize + GRPCMessageFramer.prefixLength
    static let count = 300

    /// Messages the server may have taken beyond those read: the stream window, one message sent
    /// early (its bytes came back while it was partial), the reads not reported yet (under a
    /// quarter window), rounded up, plus grpcio's message in flight and the one it took next.
    static let allowance = (window + wireSize + window / 4) / wireSize + 1 + 2

    static func configuration(connectionWindow: Int32? = nil) -> GRPCChannel.Configuration {
        var configuration = testChannelConfiguration()
        configuration.connectionsPerEndpoint = 1
        configuration.connection.maxBufferedResponseBytes = window
        if let connectionWindow { configuration.connection.http2.connectionWindow = connectionWindow }
        return configuration
    }

    static func countedRequest(key: String) -> ClientRequest<[UInt8]> {
        ClientRequest(message: [], metadata: ["x-count": .string("\(count)"), "x-size": .string("\(messageSize)"),
                                             "x-key": .string(key)])
    }

    static func index(_ message: [UInt8]) -> Int {
        message.prefix(4).reduce(0) { $0 << 8 | Int($1) }
    }

    /// How many messages the server has handed to grpcio for `key`.
    static func yielded(_ client: GRPCClient, key: String) async throws -> Int {
        let response = try await client.unary(request: ClientRequest(message: key.bytes), descriptor: Echo.yielded,
                                              options: CallOptions(timeout: .seconds(20)))
        return Int(String(decoding: response.message, as: UTF8.self)) ?? -1
    }

    /// Waits until the server has taken at least `atLeast` messages and then taken no more over
    /// five polls 50 ms apart (a server that is not held back runs to the end instead); at most
    /// 40 s (generous for a loaded machine or a sanitizer build). Returns the count.
    static func settledYieldCount(_ client: GRPCClient, key: String, atLeast: Int) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(40)
        var last = -1
        var unchanged = 0
        while ContinuousClock.now < deadline {
            let now = try await yielded(client, key: key)
            if now == last { unchanged += 1 } else { (last, unchanged) = (now, 0) }
            if unchanged >= 5 && now >= atLeast { return now }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the server's count did not settle at \(atLeast) or more within 40 s (last: \(last))")
        return last
    }

    @Test func slowReaderHoldsTheServerBackThenGetsEveryMessageInOrder() async throws {
        // A server of its own: the held stream keeps a connection open, which the shared
        // server's socket-counting tests must not see.
        let server = try await PythonEchoServer.start(name: "held")
        defer { server.stop() }
        let key = "held-\(UUID().uuidString)"
        try await withClient([server.endpoint], configuration: Self.configuration()) { client in
            let indices = try await client.serverStreaming(request: Self.countedRequest(key: key),
                                                           descriptor: Echo.counted) { response in
                var messages = response.messages.makeAsyncIterator()
                var indices: [Int] = []
                for checkpoint in [1, 30, 90] {
                    while indices.count < checkpoint, let message = try await messages.next() {
                        indices.append(Self.index(message))
                    }
                    // The Yielded polls go over the same connection as the held stream.
                    let taken = try await Self.settledYieldCount(client, key: key, atLeast: indices.count + 2)
                    #expect(taken <= indices.count + Self.allowance,
                            "server took \(taken) messages with \(indices.count) read (allowance \(Self.allowance))")
                }
                while let message = try await messages.next() { indices.append(Self.index(message)) }
                return indices
            }
            #expect(indices == Array(0..<Self.count))
            #expect(try await Self.yielded(client, key: key) == Self.count)
        }
    }

    /// Three calls hold a full stream window each, unread: more than the connection window. The
    /// connection window comes back on receipt, so another call on the same connection still
    /// gets a response larger than what is left of it.
    @Test func slowReadersDoNotStallOtherCallsOnTheirConnection() async throws {
        let server = try await PythonEchoServer.start(name: "stall")
        defer { server.stop() }
        let keys = (0..<3).map { "stall-\($0)-\(UUID().uuidString)" }
        let configuration = Self.configuration(connectionWindow: Int32(2 * Self.window))
        try await withClient([server.endpoint], configuration: configuration) { client in
            let gates = keys.map { _ in AsyncStream<Never>.makeStream() }
            try await withThrowingTaskGroup(of: [Int].self) { group in
                for (key, gate) in zip(keys, gates) {
                    group.addTask {
                        try await client.serverStreaming(request: Self.countedRequest(key: key),
                                                         descriptor: Echo.counted) { response in
                            var messages = response.messages.makeAsyncIterator()
                            var indices: [Int] = []
                            if let first = try await messages.next() { indices.append(Self.index(first)) }
                            for await _ in gate.stream {}  // until the test opens the gate
                            while let message = try await messages.next() { indices.append(Self.index(message)) }
                            return indices
                        }
                    }
                }
                for key in keys {
                    let taken = try await Self.settledYieldCount(client, key: key, atLeast: 4)
                    #expect(taken <= 1 + Self.allowance)
                }
                let big = [UInt8](repeating: 9, count: 3 * Self.window)
                let echoed = try await client.unary(request: ClientRequest(message: big), descriptor: Echo.unary,
                                                    options: CallOptions(timeout: .seconds(30)))
                #expect(echoed.message == big)
                for gate in gates { gate.continuation.finish() }
                for try await indices in group {
                    #expect(indices == Array(0..<Self.count))
                }
            }
        }
    }

    /// Calls abandoned with a window's worth of response unread (cancelled when the caller
    /// returns early) leave nothing of the connection window behind.
    @Test func abandonedCallsLeaveTheConnectionWindowWhole() async throws {
        let server = try await PythonEchoServer.start(name: "abandon")
        defer { server.stop() }
        let configuration = Self.configuration(connectionWindow: Int32(2 * Self.window))
        try await withClient([server.endpoint], configuration: configuration) { client in
            for round in 0..<4 {
                let key = "abandon-\(round)-\(UUID().uuidString)"
                let first = try await client.serverStreaming(request: Self.countedRequest(key: key),
                                                             descriptor: Echo.counted) { response in
                    var messages = response.messages.makeAsyncIterator()
                    let first = try await messages.next().map(Self.index)
                    // Let the server fill the window before walking away from the call.
                    _ = try await Self.settledYieldCount(client, key: key, atLeast: 4)
                    return first
                }
                #expect(first == 0)
            }
            let big = [UInt8](repeating: 7, count: 3 * Self.window)
            let echoed = try await client.unary(request: ClientRequest(message: big), descriptor: Echo.unary,
                                                options: CallOptions(timeout: .seconds(30)))
            #expect(echoed.message == big)
        }
    }
}
