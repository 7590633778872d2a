import BoxOfficeLocks
import BoxOfficeProto
@testable import BoxOfficeRPC
import Metrics
import Logging
import Testing

@Suite("Client interceptors")
struct ClientInterceptorTests {
    private func headers(_ client: GRPCClient, metadata: Metadata = [:]) async throws -> [String: String] {
        let response = try await client.unary(request: ClientRequest(message: [], metadata: metadata), descriptor: Echo.headers)
        var result: [String: String] = [:]
        for line in String(decoding: response.message, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = String(parts[0])
            result[key] = result[key].map { "\($0),\(parts[1])" } ?? String(parts[1])
        }
        return result
    }

    @Test func requestCarriesProtocolHeadersAndMetadata() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            var metadata: Metadata = ["x-plain": "v"]
            metadata.addBinary([0xde, 0xad], forKey: "x-data-bin")
            let seen = try await headers(client, metadata: metadata)
            #expect(seen["x-plain"] == "v")
            #expect(seen["x-data-bin"] == "dead")
            #expect(seen["user-agent"]?.contains(GRPCClient.userAgent) == true)
        }
    }

    @Test func authInterceptorAddsBearerToken() async throws {
        let server = try await SharedEchoServer.get()
        let auth = ClientAuthInterceptor { "s3cret" }
        try await withClient([server.endpoint], interceptors: [auth]) { client in
            let seen = try await headers(client)
            #expect(seen["authorization"] == "Bearer s3cret")
        }
    }

    @Test func failingTokenProviderIsUnauthenticatedWithoutACall() async throws {
        struct NoToken: Error {}
        let server = try await SharedEchoServer.get()
        let auth = ClientAuthInterceptor { throw NoToken() }
        try await withClient([server.endpoint], interceptors: [auth]) { client in
            let error = await rpcError { try await headers(client) }
            #expect(error?.code == .unauthenticated)
        }
    }

    @Test func loggingInterceptorSendsAndLogsARequestID() async throws {
        let server = try await SharedEchoServer.get()
        let records = LogRecords()
        let logger = Logger(label: "test") { _ in RecordingLogHandler(records: records) }
        try await withClient([server.endpoint], interceptors: [ClientLoggingInterceptor(logger: logger)]) { client in
            let seen = try await headers(client)
            let requestID = try #require(seen["x-request-id"])
            #expect(requestID.count == 32)
            let kept = try await headers(client, metadata: ["x-request-id": "abc"])
            #expect(kept["x-request-id"] == "abc")
            _ = await rpcError {
                try await client.unary(request: ClientRequest(message: [], metadata: ["x-echo-status": "5"]),
                                       descriptor: Echo.unary)
            }
        }
        let logged = records.all
        #expect(logged.contains { $0.message == "rpc finished" && $0.metadata["rpc.request_id"] == "abc" })
        let failure = try #require(logged.first { $0.message == "rpc failed" })
        #expect(failure.level == .info)
        #expect(failure.metadata["rpc.status"] == "notFound")
        #expect(failure.metadata["rpc.method"] == "/boxoffice.test.Echo/Unary")
    }

    @Test func metricsInterceptorCountsByMethodAndCodeAndTimesCalls() async throws {
        let server = try await SharedEchoServer.get()
        let metrics = RecordingMetrics()
        try await withClient([server.endpoint], interceptors: [ClientMetricsInterceptor(factory: metrics)]) { client in
            for _ in 0..<3 { _ = try await client.unary(request: ClientRequest(message: []), descriptor: Echo.unary) }
            _ = await rpcError {
                try await client.unary(request: ClientRequest(message: [], metadata: ["x-echo-status": "7"]),
                                       descriptor: Echo.unary)
            }
        }
        let ok = "rpc_client_calls_total|rpc_method=/boxoffice.test.Echo/Unary|rpc_code=ok"
        let denied = "rpc_client_calls_total|rpc_method=/boxoffice.test.Echo/Unary|rpc_code=permissionDenied"
        #expect(metrics.counters[ok] == 3)
        #expect(metrics.counters[denied] == 1)
        let timings = metrics.timers["rpc_client_call_duration|rpc_method=/boxoffice.test.Echo/Unary|rpc_code=ok"] ?? []
        #expect(timings.count == 3)
        #expect(timings.allSatisfy { $0 > 0 })
    }

    @Test func interceptorsRunOutermostFirst() async throws {
        let server = try await SharedEchoServer.get()
        let order = AnnotatedMutex<[String]>([])
        struct Tag: ClientInterceptor {
            let name: String
            let order: @Sendable (String) -> Void
            func intercept<Result: Sendable>(context: ClientInterceptorContext,
                                             next: (ClientInterceptorContext) async throws -> Result) async throws -> Result {
                order("\(name) in")
                var context = context
                context.metadata.addString(name, forKey: "x-tag")
                defer { order("\(name) out") }
                return try await next(context)
            }
        }
        let record: @Sendable (String) -> Void = { entry in order.withLock { $0.append(entry) } }
        try await withClient([server.endpoint], interceptors: [Tag(name: "outer", order: record), Tag(name: "inner", order: record)]) { client in
            let seen = try await headers(client)
            #expect(seen["x-tag"] == "outer,inner")
        }
        #expect(order.withLock { $0 } == ["outer in", "inner in", "inner out", "outer out"])
    }
}

// MARK: - Test doubles for swift-log and swift-metrics

final class LogRecords: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let records = AnnotatedMutex<[Record]>([])
    var all: [Record] { records.withLock { $0 } }
    func append(_ record: Record) { records.withLock { $0.append(record) } }
}

struct RecordingLogHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        records.append(.init(level: event.level, message: event.message.description,
                             metadata: merged.mapValues { "\($0)" }))
    }
}

final class RecordingMetrics: MetricsFactory, Sendable {
    private let counterValues = AnnotatedMutex<[String: Int64]>([:])
    private let timerValues = AnnotatedMutex<[String: [Int64]]>([:])

    var counters: [String: Int64] { counterValues.withLock { $0 } }
    var timers: [String: [Int64]] { timerValues.withLock { $0 } }

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: "|")
    }

    final class CounterBox: CounterHandler, Sendable {
        let add: @Sendable (Int64) -> Void
        init(add: @escaping @Sendable (Int64) -> Void) { self.add = add }
        func increment(by amount: Int64) { add(amount) }
        func reset() {}
    }

    final class TimerBox: TimerHandler, Sendable {
        let add: @Sendable (Int64) -> Void
        init(add: @escaping @Sendable (Int64) -> Void) { self.add = add }
        func recordNanoseconds(_ duration: Int64) { add(duration) }
    }

    final class Ignored: RecorderHandler, FloatingPointCounterHandler, MeterHandler, Sendable {
        func record(_ value: Int64) {}
        func record(_ value: Double) {}
        func increment(by amount: Double) {}
        func reset() {}
        func set(_ value: Int64) {}
        func set(_ value: Double) {}
        func increment(by amount: Int64) {}
        func decrement(by amount: Double) {}
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let key = Self.key(label, dimensions)
        return CounterBox { amount in self.counterValues.withLock { $0[key, default: 0] += amount } }
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let key = Self.key(label, dimensions)
        return TimerBox { value in self.timerValues.withLock { $0[key, default: []].append(value) } }
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler { Ignored() }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler { Ignored() }
    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler { Ignored() }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}
