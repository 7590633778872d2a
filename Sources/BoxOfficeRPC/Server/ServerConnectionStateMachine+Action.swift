package import BoxOfficeProto

// The vocabulary of ``ServerConnectionStateMachine``: what it knows about a request and what it
// asks the connection to do.
extension ServerConnectionStateMachine {
    /// Everything a handler needs to know about a request, taken from its header block.
    package struct RequestHead: Sendable, Equatable {
        package var path: String
        /// The path's index in the sorted routable paths, when the session recognised it.
        package var route: Int?
        package var kind: RPCKind
        package var metadata: Metadata
        package var timeout: Duration?
    }

    /// How a handler receives its request messages.
    package enum RequestDelivery: Sendable, Equatable {
        /// The one request message (unary and server-streaming).
        case single([UInt8])
        /// Messages follow as ``Action/deliverRequestMessage(streamID:message:credit:)``.
        case streamed
    }

    /// Something the connection must do.
    package enum Action: Equatable {
        case startRPC(streamID: Int32, head: RequestHead, delivery: RequestDelivery)
        /// Hand a request message to the running handler; once the handler takes it, report
        /// `credit` bytes back through ``requestMessageConsumed(streamID:credit:)``.
        case deliverRequestMessage(streamID: Int32, message: [UInt8], credit: Int)
        /// The client half-closed: the handler's request stream ends.
        case finishRequestMessages(streamID: Int32)
        /// Cancel the running handler (RST_STREAM from the client, deadline, shutdown, bad input).
        case cancelHandler(streamID: Int32)
        case scheduleDeadline(streamID: Int32, after: Duration)
        case submitResponseHeaders(streamID: Int32, headers: [HTTP2HeaderField])
        case submitHeadersOnlyResponse(streamID: Int32, headers: [HTTP2HeaderField])
        /// Send one response message (the session adds the gRPC length prefix).
        case enqueueResponseMessage(streamID: Int32, message: [UInt8])
        case finishResponse(streamID: Int32, trailers: [HTTP2HeaderField])
        case resetStream(streamID: Int32, code: HTTP2ErrorCode)
        /// Return request bytes to the flow-control windows.
        case consume(streamID: Int32, count: Int)
        /// Wake writers waiting for the stream's outbound buffer to drain.
        case resumeWriters(streamID: Int32)
        /// The stream is gone: drop its deadline timer, writers and request stream.
        case forgetStream(streamID: Int32)
        case sendShutdownNotice
        case sendGoaway(code: HTTP2ErrorCode)
        case closeConnection
    }
}
