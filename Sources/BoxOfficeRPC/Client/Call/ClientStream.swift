/// One call's HTTP/2 stream as the call code sees it: send request bytes, read response parts.
struct ClientStream: Sendable {
    let connection: ClientConnection
    let streamID: Int32
    /// Response parts; finishes after `.trailers` (OK) or by throwing the call's ``RPCError``.
    /// Whoever reads messages from it reports them through ``readReporter``: the server gets
    /// window back only for messages reported read.
    let responses: AsyncThrowingStream<ClientResponsePart, any Error>

    /// Half-closes the request without another message.
    func finishRequest() {
        connection.send(streamID: streamID, body: [], endStream: true)
    }

    /// Cancels the call (RST_STREAM(CANCEL)); the response stream ends with CANCELLED.
    func cancel() {
        connection.cancel(streamID: streamID)
    }

    /// Reports the messages read from ``responses`` to the connection, in batches.
    var readReporter: ResponseReadReporter {
        let connection = self.connection
        let streamID = self.streamID
        return ResponseReadReporter(batchBytes: connection.readReportBatch) { wireBytes in
            connection.responseRead(streamID: streamID, wireBytes: wireBytes)
        }
    }
}
