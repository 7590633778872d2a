public import NIOCore

/// Settings for each HTTP/2 connection a client channel opens.
public struct ClientConnectionConfiguration: Sendable {
    /// How long a TCP connect may take.
    public var connectTimeout: TimeAmount = .seconds(5)
    /// How often to PING the server; nil disables keepalive.
    public var keepaliveInterval: TimeAmount? = .seconds(30)
    /// How long a keepalive PING may go unanswered before the connection is closed as dead.
    public var keepaliveTimeout: TimeAmount = .seconds(10)
    /// Whether to PING while no call is open (servers may treat this as abuse; off by default).
    public var keepaliveWithoutCalls = false
    /// The largest response message accepted; larger ones fail the call with RESOURCE_EXHAUSTED.
    public var maxReceiveMessageSize = 4 * 1024 * 1024
    /// Request bytes a streaming call may queue beyond what HTTP/2 flow control lets out before
    /// its writes wait: back-pressure from a slow server reaches the request producer.
    public var maxPendingRequestBytes = 1 << 20
    /// Response bytes one call may hold that its caller has not read yet.
    ///
    /// The server gets a call's flow-control window back only as the caller reads messages, so
    /// it can get at most this far ahead of the reader (plus the bytes of one message it sent
    /// early, which lets a message larger than this still arrive). Advertised to the server as
    /// the HTTP/2 stream window (SETTINGS_INITIAL_WINDOW_SIZE); clamped to 1...2^31-1. Each call
    /// has its own; the connection-level window is given back on receipt, so a slow reader never
    /// stalls the other calls on its connection. Default 1 MiB.
    public var maxBufferedResponseBytes = 1 << 20
    /// HTTP/2 SETTINGS and windows (the stream window comes from ``maxBufferedResponseBytes``).
    var http2 = HTTP2ClientSession.Configuration()

    /// The defaults: 5 s connect timeout, keepalive every 30 s with a 10 s timeout, 4 MiB
    /// messages, 1 MiB of unread response per call.
    public init() {}

    /// The session's settings, with the stream window from ``maxBufferedResponseBytes``.
    var sessionConfiguration: HTTP2ClientSession.Configuration {
        var session = http2
        session.initialStreamWindow = Int32(clamping: max(1, maxBufferedResponseBytes))
        return session
    }

    /// Response bytes a caller reads before reporting them to the connection: a quarter of the
    /// stream window (see ``ResponseReadReporter``).
    var responseReadReportBatch: Int {
        max(1, Int(sessionConfiguration.initialStreamWindow) / 4)
    }
}
