/// Limits applied to every server HTTP/2 session and connection, against abuse and overload.
public struct HTTP2ServerLimits: Sendable, Hashable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS; more open streams are refused by nghttp2.
    public var maxConcurrentStreams: Int = 100
    /// SETTINGS_MAX_HEADER_LIST_SIZE, also enforced on received header blocks (bytes, as
    /// RFC 9113 counts them: name + value + 32 per field).
    public var maxHeaderListSize: Int = 16 * 1024
    /// Most header fields accepted in one request header block; the stream is reset beyond it.
    public var maxHeaderFieldsPerStream: Int = 100
    /// Token bucket for incoming RST_STREAM frames (rapid reset): burst size…
    public var streamResetBurst: UInt64 = 1000
    /// …and tokens regained per second; exhausted → GOAWAY.
    public var streamResetRatePerSecond: UInt64 = 33
    /// Most CONTINUATION frames after one HEADERS frame; more → the connection is closed.
    public var maxContinuations: Int = 8
    /// Most queued outbound ACKs (PING/SETTINGS floods); more → the connection is closed.
    public var maxOutboundAcks: Int = 1000
    /// Most settings entries in one SETTINGS frame.
    public var maxSettingsEntries: Int = 32
    /// SETTINGS_INITIAL_WINDOW_SIZE: request bytes a stream may send before the handler reads.
    public var initialStreamWindowSize: Int = 1024 * 1024
    /// The connection-level receive window.
    public var connectionWindowSize: Int = 8 * 1024 * 1024
    /// Response bytes buffered per stream before a writer waits.
    public var outboundHighWaterMark: Int = 256 * 1024
    /// Close a connection with no open stream after this long.
    public var idleTimeout: Duration = .seconds(300)
    /// Most simultaneous connections; more are closed on accept.
    public var maxConnections: Int = 4096

    /// The defaults described on each property.
    public init() {}
}
