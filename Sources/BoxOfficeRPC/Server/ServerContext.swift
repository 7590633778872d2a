public import Logging

/// What a handler knows about its call besides the messages: method, request metadata,
/// deadline, cancellation, peer, and a logger carrying the request id.
public struct ServerContext: Sendable {
    /// The `:path` of the call, `/package.Service/Method`.
    public let path: String
    /// The request metadata (custom headers; reserved gRPC headers are not included).
    public var metadata: Metadata
    /// When the client's `grpc-timeout` runs out; nil when the client set none. At this instant
    /// the server answers DEADLINE_EXCEEDED and cancels the handler's task.
    public var deadline: ContinuousClock.Instant? {
        deadlineOffset.map { Self.referenceInstant + $0 }
    }
    /// The client's address, e.g. `ipv4:127.0.0.1:5000`.
    public let remotePeer: String
    /// The request id (from `x-request-id` or generated), set by ``LoggingServerInterceptor``.
    public var requestID: String?
    /// A logger for this call; interceptors add metadata such as `rpc.request_id`.
    public var logger: Logger
    let cancellation: CallCancellation
    // Stored as an offset from a fixed instant: `ContinuousClock.Instant` is resilient, so a
    // struct holding one is copied through value witnesses, while `Duration` is frozen.
    private let deadlineOffset: Duration?
    private static let referenceInstant = ContinuousClock.now

    init(path: String, metadata: Metadata, deadline: ContinuousClock.Instant?, remotePeer: String,
         logger: Logger, cancellation: CallCancellation) {
        self.path = path
        self.metadata = metadata
        self.deadlineOffset = deadline.map { $0 - Self.referenceInstant }
        self.remotePeer = remotePeer
        self.requestID = nil
        self.logger = logger
        self.cancellation = cancellation
    }

    /// The service part of ``path``.
    public var service: String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return parts.count == 2 ? String(parts[0]) : ""
    }

    /// The method part of ``path``.
    public var method: String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return parts.count == 2 ? String(parts[1]) : path
    }

    /// Whether the call was cancelled (client RST_STREAM, deadline, or server shutdown).
    public var isCancelled: Bool { cancellation.isCancelled }

    /// The time left before ``deadline``; nil without a deadline.
    public var remainingTime: Duration? {
        deadline.map { $0 - ContinuousClock.now }
    }
}
