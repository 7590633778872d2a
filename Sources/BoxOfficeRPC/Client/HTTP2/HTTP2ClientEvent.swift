/// One thing the peer told a client-side HTTP/2 session, as a plain value.
///
/// ``HTTP2ClientSession`` turns nghttp2's callbacks into these, in the order nghttp2 reported
/// them, so the rest of the client can be written (and tested) without C.
enum HTTP2ClientEvent: Sendable, Hashable {
    /// A complete header block for a stream: the response head, an interim (1xx) head, or the
    /// trailers. `endStream` is true when the frame carried END_STREAM (Trailers-Only or trailers).
    case headers(streamID: Int32, fields: [HTTP2HeaderField], isTrailers: Bool, endStream: Bool)
    /// Response body bytes for a stream (no relation to gRPC message boundaries).
    case data(streamID: Int32, bytes: [UInt8], endStream: Bool)
    /// The stream is closed; `errorCode` is the RST_STREAM code (0, NO_ERROR, for a clean close).
    case streamClosed(streamID: Int32, errorCode: UInt32)
    /// The peer sent GOAWAY: streams above `lastStreamID` were never processed.
    case goAway(lastStreamID: Int32, errorCode: UInt32)
    /// The peer acknowledged one of our PINGs.
    case pingAcknowledged(opaque: UInt64)
    /// The peer's SETTINGS arrived (read the new limits back from the session).
    case settingsReceived
}
