public import BoxOfficeRPC
import BoxOfficeAPI

/// Runs grpc's interop client cases against a `grpc.testing.TestService` server.
public struct InteropClient: Sendable {
    /// The client the calls go through.
    public let client: GRPCClient
    /// The deadline of each call that is not about deadlines, so a broken server fails a case
    /// instead of hanging it.
    public var callTimeout: Duration

    /// Creates a runner over `client`.
    public init(client: GRPCClient, callTimeout: Duration = .seconds(20)) {
        self.client = client
        self.callTimeout = callTimeout
    }

    /// Runs one case; returns when it passed.
    ///
    /// - Throws: ``InteropCaseFailure`` when the server answered wrongly, or the call's error
    ///   when a call that should succeed failed.
    public func run(_ testCase: InteropTestCase) async throws {
        switch testCase {
        case .emptyUnary: try await emptyUnary()
        case .largeUnary: try await largeUnary()
        case .clientStreaming: try await clientStreaming()
        case .serverStreaming: try await serverStreaming()
        case .pingPong: try await pingPong()
        case .emptyStream: try await emptyStream()
        case .customMetadata: try await customMetadata()
        case .statusCodeAndMessage: try await statusCodeAndMessage()
        case .specialStatusMessage: try await specialStatusMessage()
        case .unimplementedMethod: try await unimplementedMethod()
        case .unimplementedService: try await unimplementedService()
        case .timeoutOnSleepingServer: try await timeoutOnSleepingServer()
        case .cancelAfterBegin: try await cancelAfterBegin()
        case .cancelAfterFirstResponse: try await cancelAfterFirstResponse()
        }
    }

    /// Runs `cases` in order and returns the failures by case (empty when all passed).
    public func run(_ cases: [InteropTestCase]) async -> [(InteropTestCase, any Error)] {
        var failures: [(InteropTestCase, any Error)] = []
        for testCase in cases {
            do {
                try await run(testCase)
            } catch {
                failures.append((testCase, error))
            }
        }
        return failures
    }

    var options: CallOptions { CallOptions(timeout: callTimeout) }

    typealias Methods = Grpc_Testing_TestService.Method

    /// Expects `body` to fail with `code` (and `message` when given).
    func expectStatus(_ code: RPCError.Code, message: String? = nil, _ what: String,
                      _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as RPCError {
            try require(error.code == code, "\(what): expected \(code), got \(error)")
            if let message {
                try require(error.message == message, "\(what): expected message \(message.debugDescription), got \(error.message.debugDescription)")
            }
            return
        }
        throw InteropCaseFailure("\(what): expected \(code), but the call succeeded")
    }
}
