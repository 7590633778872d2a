internal import CNGHTTP2
package import NIOCore

/// Why the nghttp2 session can no longer be used; the connection must be closed.
package struct NGHTTP2SessionError: Error, Sendable, CustomStringConvertible {
    /// The nghttp2 error code (`nghttp2_error`).
    package var code: Int32
    package var description: String { "nghttp2 error \(code): \(String(cString: nghttp2_strerror(code)))" }
}

/// The one owner of an `nghttp2_session*` in server mode; frees it exactly once, in `deinit`.
///
/// nghttp2's callbacks are turned into ``HTTP2ServerEvent`` values collected in ``takeEvents()``.
/// Response bodies are served by a data provider reading per-stream outbound buffers held here:
/// an empty buffer answers `NGHTTP2_ERR_DEFERRED` until ``enqueue(_:streamID:)`` or
/// ``finishResponse(streamID:trailers:)`` resumes it; the last read submits the trailers.
///
/// Not thread-safe: used only on its connection's event loop. No pointer it hands to nghttp2
/// outlives a call, except `self` as user data, which lives exactly as long as the session.
package final class NGHTTP2ServerSession {
    private var session: OpaquePointer?
    private var events: [HTTP2ServerEvent] = []
    private var headerBlocks: [Int32: HeaderBlock] = [:]
    private var outbound: [Int32: OutboundStream] = [:]
    private let limits: HTTP2ServerLimits
    private let allocator = ByteBufferAllocator()

    private struct HeaderBlock {
        var fields: [HTTP2HeaderField] = []
        var listSize = 0
        var overLimit = false
    }

    private struct OutboundStream {
        var buffer: ByteBuffer
        var trailers: [HTTP2HeaderField]?
        var deferred = false
        var wasAboveHighWater = false
    }

    /// Creates a server session with `limits` and queues the server's SETTINGS.
    ///
    /// - Throws: ``NGHTTP2SessionError`` when nghttp2 cannot allocate the session.
    package init(limits: HTTP2ServerLimits) throws(NGHTTP2SessionError) {
        self.limits = limits
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else {
            throw NGHTTP2SessionError(code: NGHTTP2_ERR_NOMEM.rawValue)
        }
        defer { nghttp2_session_callbacks_del(callbacks) }
        Self.install(callbacks)

        var option: OpaquePointer?
        guard nghttp2_option_new(&option) == 0, let option else {
            throw NGHTTP2SessionError(code: NGHTTP2_ERR_NOMEM.rawValue)
        }
        defer { nghttp2_option_del(option) }
        nghttp2_option_set_no_auto_window_update(option, 1)
        nghttp2_option_set_stream_reset_rate_limit(option, limits.streamResetBurst, limits.streamResetRatePerSecond)
        nghttp2_option_set_max_continuations(option, limits.maxContinuations)
        nghttp2_option_set_max_outbound_ack(option, limits.maxOutboundAcks)
        nghttp2_option_set_max_settings(option, limits.maxSettingsEntries)

        var created: OpaquePointer?
        let rv = nghttp2_session_server_new2(&created, callbacks, Unmanaged.passUnretained(self).toOpaque(), option)
        guard rv == 0, let created else { throw NGHTTP2SessionError(code: rv) }
        self.session = created

        var settings = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                                   value: UInt32(limits.maxConcurrentStreams)),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                                   value: UInt32(limits.initialStreamWindowSize)),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue),
                                   value: UInt32(limits.maxHeaderListSize)),
        ]
        let settingsResult = nghttp2_submit_settings(created, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
        guard settingsResult == 0 else { throw NGHTTP2SessionError(code: settingsResult) }
        let windowResult = nghttp2_session_set_local_window_size(created, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0,
                                                                  Int32(limits.connectionWindowSize))
        guard windowResult == 0 else { throw NGHTTP2SessionError(code: windowResult) }
    }

    deinit {
        nghttp2_session_del(session)
    }

    // MARK: Reading and writing bytes

    /// Feeds received bytes to nghttp2; events are collected for ``takeEvents()``.
    ///
    /// - Throws: ``NGHTTP2SessionError`` on a connection error (bad preface, flood, protocol
    ///   violation); nghttp2 has then queued a GOAWAY that ``send(into:)`` still writes.
    package func receive(_ bytes: ByteBuffer) throws(NGHTTP2SessionError) {
        let result = bytes.withUnsafeReadableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            return nghttp2_session_mem_recv(session, base.assumingMemoryBound(to: UInt8.self), raw.count)
        }
        if result < 0 {
            // Fatal receive errors leave no GOAWAY queued; queue one so the peer learns why.
            let code: HTTP2ErrorCode = switch Int32(result) {
            case NGHTTP2_ERR_FLOODED.rawValue, NGHTTP2_ERR_TOO_MANY_CONTINUATIONS.rawValue: .enhanceYourCalm
            case NGHTTP2_ERR_NOMEM.rawValue, NGHTTP2_ERR_CALLBACK_FAILURE.rawValue: .internalError
            default: .protocolError
            }
            _ = nghttp2_session_terminate_session(session, code.rawValue)
            throw NGHTTP2SessionError(code: Int32(result))
        }
    }

    /// Appends every frame nghttp2 wants to send to `buffer` (one coalesced write).
    package func send(into buffer: inout ByteBuffer) throws(NGHTTP2SessionError) {
        while true {
            var chunk: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &chunk)
            if count < 0 { throw NGHTTP2SessionError(code: Int32(count)) }
            guard count > 0, let chunk else { return }
            buffer.writeBytes(UnsafeRawBufferPointer(start: chunk, count: count))
        }
    }

    /// The events reported since the last call.
    package func takeEvents() -> [HTTP2ServerEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// Whether nghttp2 still wants to read or write; when neither, the connection can close.
    package var isAlive: Bool {
        nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0
    }

    /// Whether nghttp2 has frames queued to send.
    package var wantsWrite: Bool { nghttp2_session_want_write(session) != 0 }

    // MARK: Submitting frames

    /// Starts a response: HEADERS now, then a DATA provider fed by ``enqueue(_:streamID:)``.
    package func submitResponse(streamID: Int32, headers: [HTTP2HeaderField]) {
        outbound[streamID] = OutboundStream(buffer: allocator.buffer(capacity: 0), trailers: nil)
        var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: Self.readCallback)
        Self.withNameValues(headers) { nva, count in
            _ = nghttp2_submit_response(session, streamID, nva, count, &provider)
        }
    }

    /// A response that is only HEADERS with END_STREAM (Trailers-Only, or an HTTP error).
    package func submitHeadersOnlyResponse(streamID: Int32, headers: [HTTP2HeaderField]) {
        Self.withNameValues(headers) { nva, count in
            _ = nghttp2_submit_response(session, streamID, nva, count, nil)
        }
    }

    /// Appends response body bytes to the stream's outbound buffer and resumes its provider.
    package func enqueue(_ bytes: ByteBuffer, streamID: Int32) {
        guard var stream = outbound[streamID] else { return }
        var bytes = bytes
        stream.buffer.writeBuffer(&bytes)
        if stream.buffer.readableBytes > limits.outboundHighWaterMark { stream.wasAboveHighWater = true }
        resumeIfDeferred(&stream, streamID: streamID)
        outbound[streamID] = stream
    }

    /// Marks the response complete: once the buffer is drained, `trailers` are sent with END_STREAM.
    package func finishResponse(streamID: Int32, trailers: [HTTP2HeaderField]) {
        guard var stream = outbound[streamID] else { return }
        stream.trailers = trailers
        resumeIfDeferred(&stream, streamID: streamID)
        outbound[streamID] = stream
    }

    /// Bytes of response body buffered for `streamID` and not yet handed to nghttp2.
    package func outboundBytes(streamID: Int32) -> Int { outbound[streamID]?.buffer.readableBytes ?? 0 }

    /// Sends RST_STREAM with `code`.
    package func resetStream(streamID: Int32, code: HTTP2ErrorCode) {
        _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, code.rawValue)
    }

    /// Returns `count` request bytes of `streamID` to the flow-control windows (stream and
    /// connection); for a closed stream, only the connection window.
    package func consume(streamID: Int32, count: Int) {
        guard count > 0 else { return }
        if nghttp2_session_find_stream(session, streamID) != nil {
            _ = nghttp2_session_consume(session, streamID, count)
        } else {
            _ = nghttp2_session_consume_connection(session, count)
        }
    }

    /// Sends the first GOAWAY of a graceful shutdown (last-stream-id 2^31-1): clients stop
    /// opening streams, in-flight ones continue.
    package func submitShutdownNotice() {
        _ = nghttp2_submit_shutdown_notice(session)
    }

    /// Sends the final GOAWAY naming the last stream processed, with `code`.
    package func submitGoaway(code: HTTP2ErrorCode) {
        let last = nghttp2_session_get_last_proc_stream_id(session)
        _ = nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), last, code.rawValue, nil, 0)
    }

    // MARK: Private

    private func resumeIfDeferred(_ stream: inout OutboundStream, streamID: Int32) {
        if stream.deferred {
            stream.deferred = false
            _ = nghttp2_session_resume_data(session, streamID)
        }
    }

    private static func withNameValues<R>(_ fields: [HTTP2HeaderField],
                                          _ body: (UnsafePointer<nghttp2_nv>, Int) -> R) -> R {
        var storage = [UInt8]()
        storage.reserveCapacity(fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count })
        var offsets: [(name: Range<Int>, value: Range<Int>)] = []
        offsets.reserveCapacity(fields.count)
        for field in fields {
            let nameStart = storage.count
            storage.append(contentsOf: field.name.utf8)
            let valueStart = storage.count
            storage.append(contentsOf: field.value.utf8)
            offsets.append((nameStart..<valueStart, valueStart..<storage.count))
        }
        storage.append(0)  // never empty, so the base address is never nil
        return storage.withUnsafeMutableBufferPointer { bytes in
            let base = bytes.baseAddress!
            let nva = offsets.map { offset in
                nghttp2_nv(name: base + offset.name.lowerBound, value: base + offset.value.lowerBound,
                           namelen: offset.name.count, valuelen: offset.value.count,
                           flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            return nva.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
        }
    }

    private static func from(_ userData: UnsafeMutableRawPointer?) -> NGHTTP2ServerSession {
        Unmanaged<NGHTTP2ServerSession>.fromOpaque(userData!).takeUnretainedValue()
    }

    // MARK: Callbacks (each turns one nghttp2 callback into state or an event)

    private static func install(_ callbacks: OpaquePointer) {
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
            guard let frame else { return 0 }
            let owner = NGHTTP2ServerSession.from(userData)
            owner.headerBlocks[frame.pointee.hd.stream_id] = HeaderBlock()
            return 0
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, userData in
            guard let frame, let name, let value else { return 0 }
            let owner = NGHTTP2ServerSession.from(userData)
            let streamID = frame.pointee.hd.stream_id
            guard var block = owner.headerBlocks[streamID] else { return 0 }
            if block.overLimit { return 0 }
            block.listSize += nameLength + valueLength + 32
            if block.fields.count >= owner.limits.maxHeaderFieldsPerStream || block.listSize > owner.limits.maxHeaderListSize {
                block.overLimit = true
                block.fields = []
            } else {
                block.fields.append(HTTP2HeaderField(
                    name: String(decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self),
                    value: String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self)))
            }
            owner.headerBlocks[streamID] = block
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            guard let frame else { return 0 }
            let owner = NGHTTP2ServerSession.from(userData)
            let header = frame.pointee.hd
            let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
            switch Int(header.type) {
            case Int(NGHTTP2_HEADERS.rawValue):
                let block = owner.headerBlocks.removeValue(forKey: header.stream_id) ?? HeaderBlock()
                if block.overLimit {
                    owner.events.append(.headerLimitExceeded(streamID: header.stream_id))
                } else if frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST {
                    owner.events.append(.requestHeaders(streamID: header.stream_id, fields: block.fields, endStream: endStream))
                } else {
                    owner.events.append(.requestTrailers(streamID: header.stream_id))
                }
            case Int(NGHTTP2_DATA.rawValue):
                if endStream { owner.events.append(.endStream(streamID: header.stream_id)) }
            case Int(NGHTTP2_GOAWAY.rawValue):
                owner.events.append(.goawayReceived)
            default:
                break
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
            guard let data else { return 0 }
            let owner = NGHTTP2ServerSession.from(userData)
            let bytes = owner.allocator.buffer(bytes: UnsafeRawBufferPointer(start: data, count: length))
            owner.events.append(.data(streamID: streamID, bytes: bytes))
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks) { _, frame, userData in
            guard let frame else { return 0 }
            let header = frame.pointee.hd
            let isEnd = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
            if isEnd && (Int(header.type) == Int(NGHTTP2_HEADERS.rawValue) || Int(header.type) == Int(NGHTTP2_DATA.rawValue)) {
                NGHTTP2ServerSession.from(userData).events.append(.responseEndSent(streamID: header.stream_id))
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
            let owner = NGHTTP2ServerSession.from(userData)
            owner.outbound.removeValue(forKey: streamID)
            owner.headerBlocks.removeValue(forKey: streamID)
            owner.events.append(.streamClosed(streamID: streamID, errorCode: errorCode))
            return 0
        }
    }

    private static let readCallback: nghttp2_data_source_read_callback = { session, streamID, buffer, length, flags, _, userData in
        let owner = NGHTTP2ServerSession.from(userData)
        guard var stream = owner.outbound[streamID], let buffer, let flags else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        let count = min(length, stream.buffer.readableBytes)
        if count > 0 {
            stream.buffer.withUnsafeReadableBytes { raw in
                UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress!, byteCount: count)
            }
            stream.buffer.moveReaderIndex(forwardBy: count)
            if stream.buffer.readableBytes == 0 { stream.buffer.clear() }
        }
        if stream.wasAboveHighWater && stream.buffer.readableBytes <= owner.limits.outboundHighWaterMark / 2 {
            stream.wasAboveHighWater = false
            owner.events.append(.outboundDrained(streamID: streamID))
        }
        if stream.buffer.readableBytes == 0, let trailers = stream.trailers {
            flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
            if !trailers.isEmpty {
                flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue)
                NGHTTP2ServerSession.withNameValues(trailers) { nva, n in
                    _ = nghttp2_submit_trailer(session, streamID, nva, n)
                }
            }
            owner.outbound[streamID] = stream
            return count
        }
        if count == 0 {
            stream.deferred = true
            owner.outbound[streamID] = stream
            return Int(NGHTTP2_ERR_DEFERRED.rawValue)
        }
        owner.outbound[streamID] = stream
        return count
    }
}
