/// One piece of a response as the client receives it.
enum ClientResponsePart: Sendable, Hashable {
    /// The response headers, as metadata.
    case metadata(Metadata)
    /// One response message (unframed bytes).
    case message([UInt8])
    /// The trailing metadata of a call that ended OK (always the last part; a call that ends
    /// with another status finishes the stream by throwing its ``RPCError`` instead).
    case trailers(Metadata)
}

/// How an RPC ended: a status and the trailing metadata (Trailers-Only metadata included).
struct ClientResponseEnd: Sendable, Hashable {
    var status: Status
    var trailers: Metadata
    /// The server refused the stream before processing it (REFUSED_STREAM before any response,
    /// e.g. streams above a GOAWAY's last stream id): the call may be retried elsewhere.
    var neverProcessed = false

    init(status: Status, trailers: Metadata, neverProcessed: Bool = false) {
        self.status = status
        self.trailers = trailers
        self.neverProcessed = neverProcessed
    }

    /// The end as an error to throw, or nil for OK.
    var error: RPCError? {
        guard var error = RPCError(status: status, metadata: trailers) else { return nil }
        if neverProcessed { error.cause = StreamRefusedBeforeProcessing() }
        return error
    }
}

/// The cause of an UNAVAILABLE error for a stream the server never processed; such a call can
/// be retried transparently.
struct StreamRefusedBeforeProcessing: Error, Hashable {}
