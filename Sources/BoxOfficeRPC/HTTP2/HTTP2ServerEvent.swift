package import NIOCore

/// What the nghttp2 session reported while reading or writing, as a value.
///
/// The session glue collects these from nghttp2's callbacks; the connection state machine turns
/// them into actions. Nothing here refers to C memory.
package enum HTTP2ServerEvent: Sendable, Equatable {
    /// A request's HEADERS (and CONTINUATION) block is complete.
    case requestHeaders(streamID: Int32, headers: HTTP2RequestHeaders, endStream: Bool)
    /// The client sent trailing HEADERS (always ends the request).
    case requestTrailers(streamID: Int32)
    /// A chunk of request body (DATA payload) arrived.
    case data(streamID: Int32, bytes: ByteBuffer)
    /// A DATA frame carried END_STREAM: the client half-closed.
    case endStream(streamID: Int32)
    /// The request's header block had more fields or bytes than allowed; the stream must be reset.
    case headerLimitExceeded(streamID: Int32)
    /// The stream is closed (by either side); `errorCode` is the RST_STREAM code or 0.
    case streamClosed(streamID: Int32, errorCode: UInt32)
    /// Our END_STREAM frame (the response's last frame) has been written to the output.
    case responseEndSent(streamID: Int32)
    /// Buffered response bytes for the stream fell below the low-water mark.
    case outboundDrained(streamID: Int32)
    /// The client sent GOAWAY.
    case goawayReceived
}

extension HTTP2ServerEvent {
    /// A complete request header block given as fields (sorted as the session sorts them).
    package static func requestHeaders(streamID: Int32, fields: [HTTP2HeaderField], endStream: Bool) -> Self {
        .requestHeaders(streamID: streamID, headers: HTTP2RequestHeaders(fields: fields), endStream: endStream)
    }
}
