import BoxOfficeLocks
import BoxOfficeProto
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import BoxOfficeRPC

/// ``GRPCServer`` on a real loopback socket (port 0): lifecycle, interceptors, hostile connections.
@Suite struct ServerLiveTests {
    static let quiet = Logger(label: "server-live-test") { _ in SwiftLogNoOpLogHandler() }

    static func method(_ name: String) -> MethodDescriptor {
        MethodDescriptor(service: "live.Test", method: name, kind: .unary, inputType: "bytes", outputType: "bytes")
    }

    /// Things handlers saw, for assertions from the test.
    final class Observations: Sendable {
        let events = AnnotatedMutex<[String]>([])
        func record(_ event: String) { events.withLock { $0.append(event) } }
        var all: [String] { events.withLock { $0 } }

        /// Polls (at most `seconds`) until `event` was recorded.
        func waitFor(_ event: String, seconds: Int = 5) async -> Bool {
            for _ in 0..<(seconds * 50) {
                if all.contains(event) { return true }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return all.contains(event)
        }
    }

    static func router(_ observations: Observations) -> RPCRouter {
        var router = RPCRouter()
        router.registerUnary(path: method("Echo").path) { request, context in
            ServerResponse(message: request.message,
                           metadata: ["x-principal": .string(context.metadata.firstString(forKey: "x-authenticated-principal") ?? "")],
                           trailingMetadata: ["x-request-id": .string(context.requestID ?? "")])
        }
        router.registerUnary(path: method("Stuck").path) { _, _ in
            observations.record("stuck started")
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                observations.record("stuck cancelled")
                throw error
            }
            return ServerResponse(message: [])
        }
        // Answers [1] when the handler runs on a NIO event-loop thread, [0] otherwise.
        router.registerUnary(path: method("Where").path) { _, _ in
            ServerResponse(message: [MultiThreadedEventLoopGroup.currentEventLoop == nil ? 0 : 1])
        }
        router.registerUnary(path: method("Slow").path) { request, _ in
            observations.record("slow started")
            try await Task.sleep(for: .milliseconds(300))
            observations.record("slow finished")
            return ServerResponse(message: request.message)
        }
        return router
    }

    func withServer(grace: Duration = .seconds(5), interceptors: [any ServerInterceptor] = [],
                    callExecution: GRPCServer.CallExecution = .connectionEventLoop,
                    _ body: (GRPCServer, GRPCClient, Observations) async throws -> Void) async throws {
        let observations = Observations()
        let server = GRPCServer(configuration: .init(port: 0, shutdownGracePeriod: grace, callExecution: callExecution),
                                router: Self.router(observations),
                                interceptors: interceptors, logger: Self.quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try await server.listeningPort
            #expect(port > 0)
            let channel = GRPCChannel(host: "127.0.0.1", port: port)
            do {
                try await body(server, GRPCClient(channel: channel), observations)
            } catch {
                await channel.close()
                server.beginGracefulShutdown()
                throw error
            }
            await channel.close()
            server.beginGracefulShutdown()
            try await group.waitForAll()
        }
    }

    @Test func servesOnAnEphemeralPortAndShutsDown() async throws {
        try await withServer { _, client, _ in
            let response = try await client.unary(request: ClientRequest(message: [4, 2]), descriptor: Self.method("Echo"))
            #expect(response.message == [4, 2])
        }
    }

    @Test(arguments: [GRPCServer.CallExecution.connectionEventLoop, .globalConcurrentExecutor])
    func handlersRunWhereConfigured(execution: GRPCServer.CallExecution) async throws {
        try await withServer(callExecution: execution) { _, client, _ in
            let expected: [UInt8] = execution == .connectionEventLoop ? [1] : [0]
            #expect(try await client.unary(request: ClientRequest(message: []), descriptor: Self.method("Where")).message == expected)
            // Many concurrent calls on the same connections, each answered with its own bytes.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<64 {
                    group.addTask {
                        let bytes = [UInt8(index), UInt8(255 - index)]
                        let response = try await client.unary(request: ClientRequest(message: bytes), descriptor: Self.method("Echo"))
                        #expect(response.message == bytes)
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test(arguments: [GRPCServer.CallExecution.connectionEventLoop, .globalConcurrentExecutor])
    func deadlineCancelsTheHandlerOnEitherExecutor(execution: GRPCServer.CallExecution) async throws {
        try await withServer(callExecution: execution) { _, client, observations in
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(request: ClientRequest(message: []), descriptor: Self.method("Stuck"),
                                       options: CallOptions(timeout: .milliseconds(300)))
            }
            #expect(error?.code == .deadlineExceeded)
            if observations.all.contains("stuck started") {
                #expect(await observations.waitFor("stuck cancelled"))
            }
        }
    }

    @Test func gracefulShutdownLetsInFlightCallsFinish() async throws {
        try await withServer { server, client, observations in
            async let answer = client.unary(request: ClientRequest(message: [7]), descriptor: Self.method("Slow"))
            #expect(await observations.waitFor("slow started"))
            server.beginGracefulShutdown()
            let message = try await answer.message
            #expect(message == [7])
            #expect(observations.all.contains("slow finished"))
        }
    }

    @Test func drainDeadlineCancelsStuckHandlers() async throws {
        let started = ContinuousClock.now
        try await withServer(grace: .milliseconds(200)) { server, client, observations in
            async let outcome: Void = {
                _ = try? await client.unary(request: ClientRequest(message: []), descriptor: Self.method("Stuck"))
            }()
            #expect(await observations.waitFor("stuck started"))
            server.beginGracefulShutdown()
            #expect(await observations.waitFor("stuck cancelled"))
            await outcome
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func clientDeadlineCancelsTheHandlerTask() async throws {
        try await withServer { _, client, observations in
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(request: ClientRequest(message: []), descriptor: Self.method("Stuck"),
                                       options: CallOptions(timeout: .milliseconds(500)))
            }
            #expect(error?.code == .deadlineExceeded)
            // On a loaded machine the deadline can pass before the server dispatches the call; then
            // the handler rightly never runs. Whenever it did start, the deadline must cancel it.
            if observations.all.contains("stuck started") {
                #expect(await observations.waitFor("stuck cancelled"))
            }
        }
    }

    @Test func authAndLoggingInterceptors() async throws {
        let auth = AuthServerInterceptor.bearerTokens(["s3cret": "box-office-admin"])
        try await withServer(interceptors: [LoggingServerInterceptor(), auth]) { _, client, _ in
            let denied = await #expect(throws: RPCError.self) {
                try await client.unary(request: ClientRequest(message: []), descriptor: Self.method("Echo"))
            }
            #expect(denied?.code == .unauthenticated)
            #expect(denied?.metadata.firstString(forKey: "x-request-id")?.isEmpty == false)

            let metadata: Metadata = ["authorization": "Bearer s3cret", "x-request-id": "req-42"]
            let response = try await client.unary(request: ClientRequest(message: [1], metadata: metadata),
                                                  descriptor: Self.method("Echo"))
            #expect(response.metadata.firstString(forKey: "x-principal") == "box-office-admin")
            #expect(response.trailingMetadata.firstString(forKey: "x-request-id") == "req-42")
        }
    }

    @Test func hostileConnectionsAreClosedAndForgotten() async throws {
        try await withServer { server, client, _ in
            let group = MultiThreadedEventLoopGroup.singleton
            for round in 0..<20 {
                let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: try await server.listeningPort).get()
                let junk = round % 2 == 0 ? Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8) : [UInt8](repeating: 0xFF, count: 64)
                try await channel.writeAndFlush(ByteBuffer(bytes: junk)).get()
                try await channel.closeFuture.get()  // the server hangs up
            }
            let response = try await client.unary(request: ClientRequest(message: [9]), descriptor: Self.method("Echo"))
            #expect(response.message == [9])
            // Only the client's own connections remain (bounded wait for the closes to be processed).
            for _ in 0..<100 where server.openConnections > 2 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(server.openConnections <= 2)
        }
    }
}
