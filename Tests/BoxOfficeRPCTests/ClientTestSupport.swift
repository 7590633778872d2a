import BoxOfficeProto
@testable import BoxOfficeRPC
import Foundation
import NIOCore
import NIOPosix
import Testing

/// A Python `grpcio` server (Tests/Python/rpc_client_echo_server.py) run as a subprocess.
///
/// `@unchecked Sendable`: `Process` and `FileHandle` are not marked Sendable, but this type only
/// signals, waits for and closes them, which Foundation allows from any thread; the mutable
/// state is set once in `start` before the value is shared.
final class PythonEchoServer: @unchecked Sendable {
    let name: String
    let port: Int
    private let process: Process
    private let stdin: Pipe

    private init(name: String, port: Int, process: Process, stdin: Pipe) {
        self.name = name
        self.port = port
        self.process = process
        self.stdin = stdin
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Python/rpc_client_echo_server.py")

    /// Starts the server and waits (at most 20 s) for it to report its port.
    static func start(name: String = "echo", port: Int = 0, health: String = "SERVING") async throws -> PythonEchoServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--port", String(port), "--name", name, "--health", health]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        let reader = stdout.fileHandleForReading
        let line = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                var text = ""
                while !text.contains("\n") {
                    let chunk = reader.availableData  // blocks until output or EOF
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                return text
            }
            group.addTask {
                try await Task.sleep(for: .seconds(20))
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
        guard let line, line.hasPrefix("PORT "), let bound = Int(line.dropFirst(5).prefix { $0.isNumber }) else {
            process.terminate()
            throw ServerStartFailure(output: line ?? "<timed out>")
        }
        return PythonEchoServer(name: name, port: bound, process: process, stdin: stdin)
    }

    var endpoint: ClientEndpoint { ClientEndpoint(host: "127.0.0.1", port: port) }

    /// SIGKILL: the server vanishes without GOAWAY, as a crash would.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGSTOP: the process stays, its sockets stay open, nothing answers (a hung host).
    func pause() {
        Foundation.kill(process.processIdentifier, SIGSTOP)
    }

    /// SIGCONT after ``pause()``.
    func resume() {
        Foundation.kill(process.processIdentifier, SIGCONT)
    }

    /// SIGTERM: graceful stop (GOAWAY, in-flight calls finish).
    func terminateGracefully() {
        process.terminate()
    }

    /// Stops the server (closing stdin ends it) and waits for it to exit.
    func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
        }
    }

    struct ServerStartFailure: Error {
        var output: String
    }
}

/// One echo server shared by the tests that do not depend on server state or lifetime (Python
/// start-up costs about a second on a busy machine). It exits when the test process does: it
/// serves until its stdin closes.
enum SharedEchoServer {
    private static let server = Task { try await PythonEchoServer.start(name: "shared") }

    static func get() async throws -> PythonEchoServer {
        try await server.value
    }
}

/// Methods of the Python echo service.
enum Echo {
    static func method(_ name: String, _ kind: RPCKind = .unary) -> MethodDescriptor {
        MethodDescriptor(service: "boxoffice.test.Echo", method: name, kind: kind, inputType: "bytes", outputType: "bytes")
    }

    static let unary = method("Unary")
    static let whoAmI = method("WhoAmI")
    static let sleep = method("Sleep")
    static let remaining = method("Remaining")
    static let serverStream = method("ServerStream", .serverStreaming)
    static let clientStream = method("ClientStream", .clientStreaming)
    static let bidi = method("Bidi", .bidirectionalStreaming)
    static let sized = method("Sized")
    static let headers = method("Headers")
}

/// Test defaults: quick backoff so reconnect tests finish fast.
func testChannelConfiguration() -> GRPCChannel.Configuration {
    var configuration = GRPCChannel.Configuration()
    configuration.backoff = ConnectionBackoff(initial: .milliseconds(50), multiplier: 1.6, jitter: 0.2,
                                              maximum: .milliseconds(500))
    configuration.connection.connectTimeout = TimeAmount.seconds(2).scaled
    return configuration
}

/// A loopback port with no listener: bound by a NIO server, then closed.
func closedLoopbackPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress!.port!
    try await channel.close()
    return port
}

/// Runs `body` with a client for `servers`, closing the channel afterwards.
func withClient<R>(_ endpoints: [ClientEndpoint], configuration: GRPCChannel.Configuration = testChannelConfiguration(),
                   interceptors: [any ClientInterceptor] = [],
                   _ body: (GRPCClient) async throws -> R) async throws -> R {
    let channel = GRPCChannel(endpoints: endpoints, configuration: configuration)
    do {
        let result = try await body(GRPCClient(channel: channel, interceptors: interceptors))
        await channel.close()
        return result
    } catch {
        await channel.close()
        throw error
    }
}

/// The `RPCError` a call threw, or nil.
func rpcError(_ body: () async throws -> some Any) async -> RPCError? {
    do {
        _ = try await body()
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        Issue.record("expected RPCError, got \(error)")
        return nil
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
