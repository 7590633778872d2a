/// How a call's output reaches its connection; implemented by the connection, faked in tests.
package protocol ServerCallOutbound: Sendable {
    /// Sends the response HEADERS with `metadata` (once; later calls are ignored).
    func sendHeaders(_ metadata: Metadata)
    /// Sends one serialized message, waiting while the stream's outbound buffer is full.
    func write(_ message: [UInt8]) async throws
    /// Ends the call with `status` and trailing metadata.
    func finish(status: Status, trailers: Metadata)
    /// Headers, one message and OK status in one step (the unary fast path).
    func finishUnary(headers: Metadata, message: [UInt8], trailers: Metadata)
}

/// One accepted RPC as the handler side sees it.
///
/// An immutable object, so handing it from the connection to the call's task and down the
/// interceptor chain copies one reference instead of every field.
package final class ServerCall: Sendable {
    /// The request messages: one already received, or a stream.
    package enum Requests: Sendable {
        case single([UInt8])
        case stream(RequestMessageQueue)
    }

    package let context: ServerContext
    /// The method's index in ``RPCRouter/paths``, when the connection recognised the path.
    package let route: Int?
    package let requests: Requests
    package let outbound: any ServerCallOutbound

    package init(context: ServerContext, route: Int? = nil, requests: Requests, outbound: any ServerCallOutbound) {
        self.context = context
        self.route = route
        self.requests = requests
        self.outbound = outbound
    }
}

/// How a handler ended successfully.
package enum HandlerOutcome: Sendable {
    /// One message to send with headers and trailers (unary and client-streaming).
    case single(headers: Metadata, message: [UInt8], trailers: Metadata)
    /// Messages were written by the handler; send OK with these trailers.
    case streamed(trailers: Metadata)
}
