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
/// nghttp2's callbacks are turned into ``HTTP2ServerEvent`` values collected in
/// ``takeEvents(into:)``. Request header blocks are sorted byte-wise as they arrive
/// (``HTTP2RequestHeaders``); DATA payloads are handed on as slices of the received buffer,
/// without a copy.
/// Response bodies are served by a data provider reading per-stream message queues held here
/// (``OutboundMessageQueue``, framing each message as it is read): an empty queue answers
/// `NGHTTP2_ERR_DEFERRED` until ``enqueue(message:streamID:)`` or
/// ``finishResponse(streamID:trailers:)`` resumes it; the last read submits the trailers.
///
/// Not thread-safe: used only on its connection's event loop. No pointer it hands to nghttp2
/// outlives a call, except `self` as user data, which lives exactly as long as the session, and
/// the name/value scratch memory, which nghttp2 copies before `submit_*` returns.
package final class NGHTTP2ServerSession {
    private var session: OpaquePointer?
    private var events: [HTTP2ServerEvent] = []
    private var outbound = StreamTable<OutboundStream>()
    private let limits: HTTP2ServerLimits
    private let allocator = ByteBufferAllocator()
    private let paths: HTTP2PathInterner

    // The header block being received: HTTP/2 never interleaves two header blocks on a
    // connection (CONTINUATION frames must follow their HEADERS), so one is enough.
    private var headerBlock = HTTP2RequestHeaders()
    private var headerFieldCount = 0
    private var headerListSize = 0
    private var headerOverLimit = false

    // The buffer `mem_recv` is reading, so DATA payloads (which nghttp2 reports as pointers into
    // it) can be sliced instead of copied. `inputAddress` is the integer address of its first
    // readable byte while `receive` runs, 0 otherwise; it is only compared, never dereferenced.
    private var input: ByteBuffer?
    private var inputAddress: UInt = 0

    // Memory for the name/value arrays of submitted headers, reused (nghttp2 copies them).
    private var scratch: UnsafeMutableRawPointer
    private var scratchCapacity: Int

    private struct OutboundStream {
        var messages = OutboundMessageQueue()
        var trailers: [HTTP2HeaderField]?
        var deferred = false
        var wasAboveHighWater = false
    }

    /// Creates a server session with `limits` and queues the server's SETTINGS.
    ///
    /// - Parameter knownPaths: the routable `:path`s; requests for them reuse these strings.
    /// - Throws: ``NGHTTP2SessionError`` when nghttp2 cannot allocate the session.
    package init(limits: HTTP2ServerLimits, knownPaths: [String] = []) throws(NGHTTP2SessionError) {
        self.limits = limits
        self.paths = HTTP2PathInterner(knownPaths: knownPaths)
        self.scratchCapacity = 2048
        self.scratch = UnsafeMutableRawPointer.allocate(byteCount: 2048, alignment: MemoryLayout<nghttp2_nv>.alignment)
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
        scratch.deallocate()
    }

    // MARK: Reading and writing bytes

    /// Feeds received bytes to nghttp2; events are collected for ``takeEvents(into:)``.
    ///
    /// - Throws: ``NGHTTP2SessionError`` on a connection error (bad preface, flood, protocol
    ///   violation); nghttp2 has then queued a GOAWAY that ``send(into:)`` still writes.
    package func receive(_ bytes: ByteBuffer) throws(NGHTTP2SessionError) {
        input = bytes
        let result = bytes.withUnsafeReadableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            inputAddress = UInt(bitPattern: base)
            defer { inputAddress = 0 }
            return nghttp2_session_mem_recv(session, base.assumingMemoryBound(to: UInt8.self), raw.count)
        }
        input = nil
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

    /// Moves the events reported since the last call into `taken` (replacing its contents);
    /// the two arrays swap storage, so neither is reallocated.
    package func takeEvents(into taken: inout [HTTP2ServerEvent]) {
        taken.removeAll(keepingCapacity: true)
        swap(&events, &taken)
    }

    /// Whether nghttp2 still wants to read or write; when neither, the connection can close.
    package var isAlive: Bool {
        nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0
    }

    /// Whether nghttp2 has frames queued to send.
    package var wantsWrite: Bool { nghttp2_session_want_write(session) != 0 }

    // MARK: Submitting frames

    /// Starts a response: HEADERS now, then a DATA provider fed by ``enqueue(message:streamID:)``.
    package func submitResponse(streamID: Int32, headers: [HTTP2HeaderField]) {
        outbound[streamID] = OutboundStream()
        var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: Self.readCallback)
        withNameValues(headers) { nva, count in
            _ = nghttp2_submit_response(session, streamID, nva, count, &provider)
        }
    }

    /// A response that is only HEADERS with END_STREAM (Trailers-Only, or an HTTP error).
    package func submitHeadersOnlyResponse(streamID: Int32, headers: [HTTP2HeaderField]) {
        withNameValues(headers) { nva, count in
            _ = nghttp2_submit_response(session, streamID, nva, count, nil)
        }
    }

    /// Queues one response message (framed as nghttp2 reads it) and resumes the stream's provider.
    package func enqueue(message: [UInt8], streamID: Int32) {
        guard let index = outbound.slot(of: streamID) else { return }
        let resume = Self.update(&outbound[slot: index]) { stream in
            stream.messages.append(message)
            if stream.messages.count > limits.outboundHighWaterMark { stream.wasAboveHighWater = true }
        }
        if resume { _ = nghttp2_session_resume_data(session, streamID) }
    }

    /// Marks the response complete: once the buffer is drained, `trailers` are sent with END_STREAM.
    package func finishResponse(streamID: Int32, trailers: [HTTP2HeaderField]) {
        guard let index = outbound.slot(of: streamID) else { return }
        let resume = Self.update(&outbound[slot: index]) { $0.trailers = trailers }
        if resume { _ = nghttp2_session_resume_data(session, streamID) }
    }

    /// Bytes of response body buffered for `streamID` and not yet handed to nghttp2.
    package func outboundBytes(streamID: Int32) -> Int { outbound[streamID]?.messages.count ?? 0 }

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

    /// Applies `change` to a stream in place; returns whether its data provider was deferred
    /// (and is now marked resumed), in which case the caller resumes it in nghttp2.
    private static func update(_ stream: inout OutboundStream, _ change: (inout OutboundStream) -> Void) -> Bool {
        change(&stream)
        guard stream.deferred else { return false }
        stream.deferred = false
        return true
    }

    /// Lays `fields` out as an `nghttp2_nv` array in the scratch memory for `body` (which must
    /// hand them to an nghttp2 call that copies them, as every `submit_*` without NO_COPY flags
    /// does).
    private func withNameValues<R>(_ fields: [HTTP2HeaderField], _ body: (UnsafePointer<nghttp2_nv>, Int) -> R) -> R {
        let arrayBytes = fields.count * MemoryLayout<nghttp2_nv>.stride
        var needed = arrayBytes
        for field in fields { needed += field.name.utf8.count + field.value.utf8.count }
        if needed > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = max(needed, scratchCapacity * 2)
            scratch = UnsafeMutableRawPointer.allocate(byteCount: scratchCapacity, alignment: MemoryLayout<nghttp2_nv>.alignment)
        }
        let nva = scratch.bindMemory(to: nghttp2_nv.self, capacity: fields.count)
        var cursor = scratch + arrayBytes
        for (index, field) in fields.enumerated() {
            let name = Self.copyUTF8(field.name, to: &cursor)
            let value = Self.copyUTF8(field.value, to: &cursor)
            nva[index] = nghttp2_nv(name: name.base, value: value.base, namelen: name.count, valuelen: value.count,
                                    flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
        }
        return body(nva, fields.count)
    }

    private static func copyUTF8(_ string: String, to cursor: inout UnsafeMutableRawPointer)
        -> (base: UnsafeMutablePointer<UInt8>, count: Int) {
        var string = string
        let base = cursor.assumingMemoryBound(to: UInt8.self)
        let count = string.withUTF8 { utf8 in
            if let source = utf8.baseAddress { cursor.copyMemory(from: source, byteCount: utf8.count) }
            return utf8.count
        }
        cursor += count
        return (base, count)
    }

    /// Runs `body` with the session that `userData` names, without retaining it: the session
    /// outlives every callback, which nghttp2 only makes from inside `mem_recv`/`mem_send` calls
    /// on this session.
    @inline(__always)
    private static func with<R>(_ userData: UnsafeMutableRawPointer?, _ body: (NGHTTP2ServerSession) -> R) -> R {
        Unmanaged<NGHTTP2ServerSession>.fromOpaque(userData!)._withUnsafeGuaranteedRef(body)
    }

    // MARK: Callbacks (each turns one nghttp2 callback into state or an event)

    private static func install(_ callbacks: OpaquePointer) {
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, _, userData in
            NGHTTP2ServerSession.with(userData) { $0.beginHeaderBlock() }
            return 0
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, _, name, nameLength, value, valueLength, _, userData in
            guard let name, let value else { return 0 }
            NGHTTP2ServerSession.with(userData) {
                $0.addHeader(name: UnsafeRawBufferPointer(start: name, count: nameLength),
                             value: UnsafeRawBufferPointer(start: value, count: valueLength))
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            guard let frame else { return 0 }
            NGHTTP2ServerSession.with(userData) { $0.frameReceived(frame) }
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
            guard let data else { return 0 }
            NGHTTP2ServerSession.with(userData) { owner in
                owner.events.append(.data(streamID: streamID, bytes: owner.payload(UnsafeRawPointer(data), count: length)))
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks) { _, frame, userData in
            guard let frame else { return 0 }
            let header = frame.pointee.hd
            let isEnd = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
            if isEnd && (Int(header.type) == Int(NGHTTP2_HEADERS.rawValue) || Int(header.type) == Int(NGHTTP2_DATA.rawValue)) {
                NGHTTP2ServerSession.with(userData) { $0.events.append(.responseEndSent(streamID: header.stream_id)) }
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
            NGHTTP2ServerSession.with(userData) { owner in
                owner.outbound.removeValue(forKey: streamID)
                owner.events.append(.streamClosed(streamID: streamID, errorCode: errorCode))
            }
            return 0
        }
    }

    /// A complete frame arrived: a request's header block or trailers, the end of its DATA, a GOAWAY.
    private func frameReceived(_ frame: UnsafePointer<nghttp2_frame>) {
        let header = frame.pointee.hd
        let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        switch Int(header.type) {
        case Int(NGHTTP2_HEADERS.rawValue):
            var block = HTTP2RequestHeaders()
            swap(&block, &headerBlock)
            if headerOverLimit {
                events.append(.headerLimitExceeded(streamID: header.stream_id))
            } else if frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST {
                events.append(.requestHeaders(streamID: header.stream_id, headers: block, endStream: endStream))
            } else {
                events.append(.requestTrailers(streamID: header.stream_id))
            }
        case Int(NGHTTP2_DATA.rawValue):
            if endStream { events.append(.endStream(streamID: header.stream_id)) }
        case Int(NGHTTP2_GOAWAY.rawValue):
            events.append(.goawayReceived)
        default:
            break
        }
    }

    private func beginHeaderBlock() {
        headerBlock = HTTP2RequestHeaders()
        headerFieldCount = 0
        headerListSize = 0
        headerOverLimit = false
    }

    private func addHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        if headerOverLimit { return }
        headerFieldCount += 1
        headerListSize += name.count + value.count + 32
        if headerFieldCount > limits.maxHeaderFieldsPerStream || headerListSize > limits.maxHeaderListSize {
            headerOverLimit = true
            headerBlock = HTTP2RequestHeaders()
        } else {
            headerBlock.add(name: name, value: value, paths: paths)
        }
    }

    /// A DATA payload as a buffer: a slice of the buffer being received when the payload lies
    /// inside it (nghttp2 reports DATA in place), a copy otherwise.
    private func payload(_ data: UnsafeRawPointer, count: Int) -> ByteBuffer {
        let address = UInt(bitPattern: data)
        if let input, inputAddress != 0, address >= inputAddress,
           address - inputAddress + UInt(count) <= UInt(input.readableBytes),
           let slice = input.getSlice(at: input.readerIndex + Int(address - inputAddress), length: count) {
            return slice
        }
        return allocator.buffer(bytes: UnsafeRawBufferPointer(start: data, count: count))
    }

    private static let readCallback: nghttp2_data_source_read_callback = { session, streamID, buffer, length, flags, _, userData in
        guard let buffer, let flags else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
        return NGHTTP2ServerSession.with(userData) { owner in
            owner.readResponseBody(session: session, streamID: streamID, into: buffer, length: length, flags: flags)
        }
    }

    /// The data provider's read: copies up to `length` buffered bytes of `streamID` into nghttp2's
    /// `buffer`, submits the trailers once the response is finished and drained, or defers.
    private func readResponseBody(session: OpaquePointer?, streamID: Int32, into buffer: UnsafeMutablePointer<UInt8>,
                                  length: Int, flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard let index = outbound.slot(of: streamID) else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        let count = outbound[slot: index].messages.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: length))
        let left = outbound[slot: index].messages.count
        if outbound[slot: index].wasAboveHighWater && left <= limits.outboundHighWaterMark / 2 {
            outbound[slot: index].wasAboveHighWater = false
            events.append(.outboundDrained(streamID: streamID))
        }
        if left == 0, let trailers = outbound[slot: index].trailers {
            flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
            if !trailers.isEmpty {
                flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue)
                withNameValues(trailers) { nva, n in
                    _ = nghttp2_submit_trailer(session, streamID, nva, n)
                }
            }
            return count
        }
        if count == 0 {
            outbound[slot: index].deferred = true
            return Int(NGHTTP2_ERR_DEFERRED.rawValue)
        }
        return count
    }
}
