import CNGHTTP2
import NIOCore

/// The one owner of a client-role `nghttp2_session*`; frees it exactly once, in `deinit`.
///
/// Bytes go in through ``receive(_:)`` and come out of ``drainOutbound(into:)``; what the peer
/// said comes back as ``HTTP2ClientEvent`` values. No C pointer leaves this type. Not thread-safe:
/// the owner (one NIO channel handler) calls it on its event loop only.
///
/// Flow control is manual (no automatic WINDOW_UPDATE): connection-level window is given back as
/// soon as DATA arrives, so a call whose caller reads slowly never starves the other calls on the
/// connection; stream-level window only through ``returnStreamCredit(streamID:count:)``, as the
/// caller reads, so a slow reader holds its server back.
struct HTTP2ClientSession: ~Copyable {
    /// Local SETTINGS and flow-control windows.
    struct Configuration: Sendable, Hashable {
        /// Per-stream receive window we advertise (INITIAL_WINDOW_SIZE): how far a server may
        /// get ahead of a caller that reads slowly.
        var initialStreamWindow: Int32 = 1 << 20
        /// Connection-level receive window.
        var connectionWindow: Int32 = 16 << 20
        /// Largest header list we accept from the server.
        var maxHeaderListSize: UInt32 = 16 << 10

        init() {}
    }

    private let session: OpaquePointer
    private let context: HTTP2ClientSessionContext

    /// Creates the session and queues our connection preface + SETTINGS.
    init(configuration: Configuration = Configuration()) throws(HTTP2ClientSessionError) {
        let context = HTTP2ClientSessionContext()
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else {
            throw HTTP2ClientSessionError(operation: "nghttp2_session_callbacks_new", code: -1)
        }
        defer { nghttp2_session_callbacks_del(callbacks) }
        HTTP2ClientSessionContext.install(into: callbacks)

        var option: OpaquePointer?
        guard nghttp2_option_new(&option) == 0, let option else {
            throw HTTP2ClientSessionError(operation: "nghttp2_option_new", code: -1)
        }
        defer { nghttp2_option_del(option) }
        nghttp2_option_set_max_send_header_block_length(option, 64 << 10)
        nghttp2_option_set_no_auto_window_update(option, 1)

        var raw: OpaquePointer?
        let rc = nghttp2_session_client_new2(&raw, callbacks, Unmanaged.passUnretained(context).toOpaque(), option)
        guard rc == 0, let raw else {
            throw HTTP2ClientSessionError(operation: "nghttp2_session_client_new2", code: rc)
        }
        var settings = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                                   value: UInt32(configuration.initialStreamWindow)),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue),
                                   value: configuration.maxHeaderListSize),
        ]
        let settingsRC = nghttp2_submit_settings(raw, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
        let windowRC = nghttp2_session_set_local_window_size(raw, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0,
                                                             configuration.connectionWindow)
        guard settingsRC == 0, windowRC == 0 else {
            nghttp2_session_del(raw)
            throw HTTP2ClientSessionError(operation: "nghttp2_submit_settings", code: settingsRC != 0 ? settingsRC : windowRC)
        }
        self.session = raw
        self.context = context
    }

    deinit {
        nghttp2_session_del(session)
    }

    /// Feeds bytes read from the socket; returns what the peer said, in order.
    ///
    /// - Throws: when nghttp2 rejects the bytes as a connection error (it has then queued a
    ///   GOAWAY, so drain the outbound bytes before closing).
    func receive(_ buffer: ByteBuffer) throws(HTTP2ClientSessionError) -> [HTTP2ClientEvent] {
        let rc = buffer.withUnsafeReadableBytes { bytes -> Int in
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
            return nghttp2_session_mem_recv(session, base, bytes.count)
        }
        let events = context.takeEvents()
        // Connection-level window goes back on receipt, whichever stream the bytes were for.
        let dataBytes = context.takeReceivedDataBytes()
        if dataBytes > 0 { _ = nghttp2_session_consume_connection(session, dataBytes) }
        if rc < 0 {
            throw HTTP2ClientSessionError(operation: "nghttp2_session_mem_recv", code: Int32(truncatingIfNeeded: rc))
        }
        return events
    }

    /// Gives `count` bytes of a stream's receive window back to the server (a WINDOW_UPDATE goes
    /// out once half the window is due). A no-op for a stream nghttp2 has closed.
    func returnStreamCredit(streamID: Int32, count: Int) {
        guard count > 0 else { return }
        _ = nghttp2_session_consume_stream(session, streamID, count)
    }

    /// Events produced while sending (streams nghttp2 refused to open, for instance).
    func takeEvents() -> [HTTP2ClientEvent] {
        context.takeEvents()
    }

    /// Appends every frame nghttp2 wants to send to `buffer` (the caller writes and flushes once).
    func drainOutbound(into buffer: inout ByteBuffer) throws(HTTP2ClientSessionError) {
        while true {
            var chunk: UnsafePointer<UInt8>?
            let n = nghttp2_session_mem_send(session, &chunk)
            if n < 0 { throw HTTP2ClientSessionError(operation: "nghttp2_session_mem_send", code: Int32(truncatingIfNeeded: n)) }
            guard n > 0, let chunk else { return }
            // The chunk is valid only until the next mem_send call: copy it now.
            buffer.writeBytes(UnsafeRawBufferPointer(start: chunk, count: n))
        }
    }

    /// True while nghttp2 still wants to read or write; false once the session is finished.
    var isAlive: Bool {
        nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0
    }

    /// The server's current SETTINGS_MAX_CONCURRENT_STREAMS.
    var remoteMaxConcurrentStreams: Int {
        Int(nghttp2_session_get_remote_settings(session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS))
    }

    /// Queues a request HEADERS frame; the body comes from ``appendBody(streamID:bytes:endStream:)``.
    ///
    /// - Parameters:
    ///   - headers: pseudo-headers first, then regular fields, names lower-case.
    ///   - body: bytes available immediately (may be empty).
    ///   - endStream: whether `body` is the whole request body.
    /// - Returns: the new stream's id.
    func submitRequest(headers: [HTTP2HeaderField], body: [UInt8], endStream: Bool) throws(HTTP2ClientSessionError) -> Int32 {
        var provider = nghttp2_data_provider()
        provider.read_callback = HTTP2ClientSessionContext.readBody
        let streamID = withNameValuePairs(headers) { nva, count in
            nghttp2_submit_request(session, nil, nva, count, &provider, nil)
        }
        guard streamID > 0 else {
            throw HTTP2ClientSessionError(operation: "nghttp2_submit_request", code: streamID)
        }
        context.startBody(streamID: streamID, bytes: body, endStream: endStream)
        return streamID
    }

    /// Queues more request body bytes (and, with `endStream`, the half-close) for a stream.
    func appendBody(streamID: Int32, bytes: [UInt8], endStream: Bool) {
        guard context.appendBody(streamID: streamID, bytes: bytes, endStream: endStream) else { return }
        // Not an error when the stream is not deferred: nghttp2 will call the provider anyway.
        _ = nghttp2_session_resume_data(session, streamID)
    }

    /// Request body bytes queued for a stream that flow control has not let out yet.
    func pendingBodyBytes(streamID: Int32) -> Int {
        context.pendingBodyBytes(streamID: streamID)
    }

    /// Queues RST_STREAM for a stream.
    func resetStream(streamID: Int32, errorCode: UInt32) {
        _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, errorCode)
    }

    /// Queues a PING carrying `opaque`.
    func ping(opaque: UInt64) {
        var payload = opaque.bigEndian
        withUnsafeBytes(of: &payload) { bytes in
            _ = nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue),
                                    bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Queues GOAWAY (NO_ERROR): we open no more streams on this connection.
    func goAway() {
        _ = nghttp2_session_terminate_session(session, HTTP2ErrorCode.noError.rawValue)
    }

    /// Builds an `nghttp2_nv` array pointing into one contiguous copy of every name and value,
    /// valid only inside `body` (nghttp2 copies them during the submit call).
    private func withNameValuePairs<R>(_ headers: [HTTP2HeaderField],
                                       _ body: (UnsafePointer<nghttp2_nv>, Int) -> R) -> R {
        precondition(!headers.isEmpty, "a request always carries pseudo-headers")
        var storage: [UInt8] = []
        storage.reserveCapacity(headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count })
        var ranges: [(name: Range<Int>, value: Range<Int>)] = []
        ranges.reserveCapacity(headers.count)
        for field in headers {
            let nameStart = storage.count
            storage.append(contentsOf: field.name.utf8)
            let valueStart = storage.count
            storage.append(contentsOf: field.value.utf8)
            ranges.append((nameStart..<valueStart, valueStart..<storage.count))
        }
        return storage.withUnsafeMutableBufferPointer { bytes in
            let base = bytes.baseAddress!
            let nva = ranges.map { range in
                nghttp2_nv(name: base + range.name.lowerBound, value: base + range.value.lowerBound,
                           namelen: range.name.count, valuelen: range.value.count,
                           flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            return nva.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
        }
    }
}

/// An nghttp2 call failed.
struct HTTP2ClientSessionError: Error, Hashable, CustomStringConvertible {
    /// The nghttp2 function that failed.
    var operation: String
    /// Its (negative) `nghttp2_error` code.
    var code: Int32

    var description: String {
        "\(operation) failed: \(String(cString: nghttp2_strerror(code))) (\(code))"
    }
}
