import BoxOfficeLocks
import CoreMetrics
import Logging
import Testing
@testable import BoxOfficeRPC

/// Interceptors run directly (no sockets): ordering, rejection, and what they record.
@Suite struct ServerInterceptorTests {
    func context(path: String = "/box.Office/Hold", metadata: Metadata = [:]) -> ServerContext {
        ServerContext(path: path, metadata: metadata, deadline: nil, remotePeer: "ipv4:127.0.0.1:1",
                      logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }, cancellation: CallCancellation())
    }

    @Test func loggingInterceptorTakesOrMakesTheRequestID() async throws {
        let interceptor = LoggingServerInterceptor()
        let given = try await interceptor.intercept(context: context(metadata: ["x-request-id": "abc-1"])) { $0.requestID }
        #expect(given == "abc-1")
        let made = try await interceptor.intercept(context: context(metadata: ["x-request-id": "has space"])) { $0.requestID }
        #expect(made?.count == 16)
        let error = await #expect(throws: RPCError.self) {
            try await interceptor.intercept(context: context()) { _ -> Int in throw CancellationError() }
        }
        #expect(error?.code == .cancelled)
        #expect(error?.metadata.firstString(forKey: "x-request-id")?.count == 16)
    }

    @Test func authInterceptorRejectsAndExempts() async throws {
        let auth = AuthServerInterceptor.bearerTokens(["t0k": "ops"], exemptPaths: ["/grpc.health.v1.Health/Check"])
        let rejected = await #expect(throws: RPCError.self) {
            try await auth.intercept(context: context(metadata: ["authorization": "Bearer nope"])) { _ in 1 }
        }
        #expect(rejected?.code == .unauthenticated)
        let principal = try await auth.intercept(context: context(metadata: ["authorization": "Bearer t0k"])) {
            $0.metadata.firstString(forKey: "x-authenticated-principal")
        }
        #expect(principal == "ops")
        #expect(try await auth.intercept(context: context(path: "/grpc.health.v1.Health/Check")) { _ in 7 } == 7)
    }

    @Test func metricsInterceptorCountsByMethodAndStatus() async throws {
        let recorder = ServerRecordingMetrics()
        let metrics = MetricsServerInterceptor(prefix: "test", factory: recorder)
        _ = try await metrics.intercept(context: context()) { _ in 1 }
        _ = try? await metrics.intercept(context: context()) { _ -> Int in
            throw RPCError(code: .notFound, message: "no such seat")
        }
        #expect(recorder.counts["test_calls_total|/box.Office/Hold|ok"] == 1)
        #expect(recorder.counts["test_calls_total|/box.Office/Hold|notFound"] == 1)
        #expect(recorder.timings["test_duration|/box.Office/Hold"] == 2)
    }

    @Test func interceptorsRunOutermostFirst() async throws {
        let order = AnnotatedMutex<[String]>([])
        struct Tag: ServerInterceptor {
            let name: String
            let order: @Sendable (String) -> Void
            func intercept<Result: Sendable>(context: ServerContext, next: @Sendable (ServerContext) async throws -> Result) async throws -> Result {
                order("\(name) in")
                defer { order("\(name) out") }
                return try await next(context)
            }
        }
        let record: @Sendable (String) -> Void = { entry in order.withLock { $0.append(entry) } }
        var router = RPCRouter()
        router.registerUnary(path: "/a.B/C") { request, _ in
            record("handler")
            return ServerResponse(message: request.message)
        }
        let runner = ServerCallRunner(router: router, interceptors: [Tag(name: "outer", order: record), Tag(name: "inner", order: record)])
        let outbound = ServerRecordingOutbound()
        await runner.run(ServerCall(context: context(path: "/a.B/C"), requests: .single([1]), outbound: outbound))
        #expect(order.withLock { $0 } == ["outer in", "inner in", "handler", "inner out", "outer out"])
        #expect(outbound.events.withLock { $0 } == ["unary [1]"])
    }

    @Test func handlerErrorsBecomeStatuses() async throws {
        struct Oops: Error {}
        var router = RPCRouter()
        router.registerUnary(path: "/a.B/Fail") { _, _ in throw Oops() }
        router.registerUnary(path: "/a.B/Denied") { _, _ in throw RPCError(code: .permissionDenied, message: "no") }
        let runner = ServerCallRunner(router: router, interceptors: [])
        let outbound = ServerRecordingOutbound()
        await runner.run(ServerCall(context: context(path: "/a.B/Fail"), requests: .single([]), outbound: outbound))
        await runner.run(ServerCall(context: context(path: "/a.B/Denied"), requests: .single([]), outbound: outbound))
        await runner.run(ServerCall(context: context(path: "/a.B/Missing"), requests: .single([]), outbound: outbound))
        #expect(outbound.events.withLock { $0 } == ["finish unknown", "finish permissionDenied", "finish unimplemented"])
    }
}

/// Records what a call sends instead of writing to a connection.
final class ServerRecordingOutbound: ServerCallOutbound {
    let events = AnnotatedMutex<[String]>([])
    func sendHeaders(_ metadata: Metadata) { events.withLock { $0.append("headers") } }
    func write(_ message: [UInt8]) async throws { events.withLock { $0.append("write \(message)") } }
    func finish(status: Status, trailers: Metadata) { events.withLock { $0.append("finish \(status.code)") } }
    func finishUnary(headers: Metadata, message: [UInt8], trailers: Metadata) { events.withLock { $0.append("unary \(message)") } }
}

/// A metrics backend that counts what it receives, keyed by label and dimension values.
final class ServerRecordingMetrics: MetricsFactory, Sendable {
    private let state = AnnotatedMutex<(counts: [String: Int64], timings: [String: Int])>(([:], [:]))
    var counts: [String: Int64] { state.withLock { $0.counts } }
    var timings: [String: Int] { state.withLock { $0.timings } }

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        ([label] + dimensions.map(\.1)).joined(separator: "|")
    }

    final class Handler: CounterHandler, RecorderHandler, TimerHandler, MeterHandler, Sendable {
        let record: @Sendable (Int64, Bool) -> Void
        init(record: @escaping @Sendable (Int64, Bool) -> Void) { self.record = record }
        func increment(by amount: Int64) { record(amount, false) }
        func reset() {}
        func record(_ value: Int64) {}
        func record(_ value: Double) {}
        func recordNanoseconds(_ duration: Int64) { record(duration, true) }
        func set(_ value: Int64) {}
        func set(_ value: Double) {}
        func increment(by amount: Double) {}
        func decrement(by amount: Double) {}
    }

    private func handler(_ label: String, _ dimensions: [(String, String)]) -> Handler {
        let key = Self.key(label, dimensions)
        return Handler { [self] amount, isTiming in
            self.state.withLock { state in
                if isTiming { state.timings[key, default: 0] += 1 } else { state.counts[key, default: 0] += amount }
            }
        }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler { handler(label, dimensions) }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler { handler(label, dimensions) }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { handler(label, dimensions) }
    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler { handler(label, dimensions) }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
}
