/// One call's HTTP/2 stream as the call code sees it: send request bytes, read response parts.
struct ClientStream: Sendable {
    let connection: ClientConnection
    let streamID: Int32
    /// Response parts; finishes after `.trailers` (OK) or by throwing the call's ``RPCError``.
    let responses: AsyncThrowingStream<ClientResponsePart, any Error>

    /// Half-closes the request without another message.
    func finishRequest() {
        connection.send(streamID: streamID, body: [], endStream: true)
    }

    /// Cancels the call (RST_STREAM(CANCEL)); the response stream ends with CANCELLED.
    func cancel() {
        connection.cancel(streamID: streamID)
    }
}
