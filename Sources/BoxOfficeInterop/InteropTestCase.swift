/// The interop client cases this client runs, named as in grpc's interop test descriptions.
public enum InteropTestCase: String, CaseIterable, Sendable {
    /// EmptyCall with an empty message.
    case emptyUnary = "empty_unary"
    /// UnaryCall: 271,828-byte request, 314,159-byte response.
    case largeUnary = "large_unary"
    /// StreamingInputCall with 27182, 8, 1828 and 45904 bytes (74,922 in all).
    case clientStreaming = "client_streaming"
    /// StreamingOutputCall answering 31415, 9, 2653 and 58979 bytes.
    case serverStreaming = "server_streaming"
    /// FullDuplexCall, one response per request, in lock step.
    case pingPong = "ping_pong"
    /// FullDuplexCall with no requests and no responses.
    case emptyStream = "empty_stream"
    /// Initial and binary trailing metadata echoed, unary and full duplex.
    case customMetadata = "custom_metadata"
    /// A requested status (UNKNOWN, message) comes back, unary and full duplex.
    case statusCodeAndMessage = "status_code_and_message"
    /// A status message with whitespace, BMP and non-BMP characters survives.
    case specialStatusMessage = "special_status_message"
    /// TestService/UnimplementedCall answers UNIMPLEMENTED.
    case unimplementedMethod = "unimplemented_method"
    /// UnimplementedService/UnimplementedCall answers UNIMPLEMENTED.
    case unimplementedService = "unimplemented_service"
    /// A 1 ms deadline on a full-duplex call ends DEADLINE_EXCEEDED.
    case timeoutOnSleepingServer = "timeout_on_sleeping_server"
    /// A client-streaming call cancelled before any message ends CANCELLED.
    case cancelAfterBegin = "cancel_after_begin"
    /// A full-duplex call cancelled after its first response ends CANCELLED.
    case cancelAfterFirstResponse = "cancel_after_first_response"

    /// The name used on the command line and in reports.
    public var name: String { rawValue }
}

/// Why an interop case failed: what was expected and what happened.
public struct InteropCaseFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// Creates a failure.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Throws ``InteropCaseFailure`` with `message` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(InteropCaseFailure) {
    if !condition { throw InteropCaseFailure(message()) }
}
