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
    /// HTTP/2 SETTINGS and windows.
    var http2 = HTTP2ClientSession.Configuration()

    /// The defaults: 5 s connect timeout, keepalive every 30 s with a 10 s timeout, 4 MiB messages.
    public init() {}
}
