import CNGHTTP2

/// What nghttp2's C callbacks write into while ``HTTP2ClientSession`` calls it: the events
/// collected so far and each stream's pending request body.
///
/// The session passes an unretained pointer to this object as nghttp2's `user_data`; the session
/// keeps it alive for as long as the `nghttp2_session*` exists. Confined to the owner's thread.
final class HTTP2ClientSessionContext {
    /// Request body bytes not yet handed to nghttp2 for one stream.
    private struct PendingBody {
        var bytes: [UInt8]
        var readIndex: Int
        var endStream: Bool
    }

    private var events: [HTTP2ClientEvent] = []
    private var headerBlocks: [Int32: [HTTP2HeaderField]] = [:]
    private var bodies: [Int32: PendingBody] = [:]
    /// DATA payload bytes received (any stream) since the last ``takeReceivedDataBytes()``.
    private var receivedDataBytes = 0

    func takeEvents() -> [HTTP2ClientEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    func takeReceivedDataBytes() -> Int {
        defer { receivedDataBytes = 0 }
        return receivedDataBytes
    }

    func startBody(streamID: Int32, bytes: [UInt8], endStream: Bool) {
        bodies[streamID] = PendingBody(bytes: bytes, readIndex: 0, endStream: endStream)
    }

    /// Request body bytes queued for a stream and not yet handed to nghttp2.
    func pendingBodyBytes(streamID: Int32) -> Int {
        bodies[streamID].map { $0.bytes.count - $0.readIndex } ?? 0
    }

    /// Returns false when the stream has no body any more (closed or already ended).
    func appendBody(streamID: Int32, bytes: [UInt8], endStream: Bool) -> Bool {
        guard var body = bodies[streamID], !body.endStream else { return false }
        bodies[streamID] = nil  // keep the array uniquely referenced while appending
        if body.readIndex == body.bytes.count {
            body.bytes.removeAll(keepingCapacity: true)
            body.readIndex = 0
        }
        body.bytes.append(contentsOf: bytes)
        body.endStream = endStream
        bodies[streamID] = body
        return true
    }

    /// Fills nghttp2's DATA buffer from the pending body.
    private func readBody(streamID: Int32, into buffer: UnsafeMutablePointer<UInt8>, length: Int,
                          flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard var body = bodies[streamID] else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        bodies[streamID] = nil
        let count = min(length, body.bytes.count - body.readIndex)
        if count > 0 {
            body.bytes.withUnsafeBufferPointer { source in
                buffer.update(from: source.baseAddress! + body.readIndex, count: count)
            }
            body.readIndex += count
        }
        let drained = body.readIndex == body.bytes.count
        if drained && body.endStream {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            bodies[streamID] = body
            return count
        }
        bodies[streamID] = body
        if count == 0 { return Int(NGHTTP2_ERR_DEFERRED.rawValue) }
        return count
    }

    // MARK: nghttp2 callbacks

    static func install(into callbacks: OpaquePointer) {
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
            guard let frame, let userData else { return 0 }
            let context = Unmanaged<HTTP2ClientSessionContext>.fromOpaque(userData).takeUnretainedValue()
            context.headerBlocks[frame.pointee.hd.stream_id] = []
            return 0
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, userData in
            guard let frame, let name, let value, let userData else { return 0 }
            let context = Unmanaged<HTTP2ClientSessionContext>.fromOpaque(userData).takeUnretainedValue()
            let field = HTTP2HeaderField(
                String(decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self),
                String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self))
            context.headerBlocks[frame.pointee.hd.stream_id, default: []].append(field)
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            guard let frame, let userData else { return 0 }
            let context = Unmanaged<HTTP2ClientSessionContext>.fromOpaque(userData).takeUnretainedValue()
            context.frameReceived(frame)
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
            guard let data, let userData else { return 0 }
            let context = Unmanaged<HTTP2ClientSessionContext>.fromOpaque(userData).takeUnretainedValue()
            context.receivedDataBytes += length
            context.events.append(.data(streamID: streamID, bytes: Array(UnsafeBufferPointer(start: data, count: length)),
                                        endStream: false))
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
            guard let userData else { return 0 }
            let context = Unmanaged<HTTP2ClientSessionContext>.fromOpaque(userData).takeUnretainedValue()
            context.bodies[streamID] = nil
            context.headerBlocks[streamID] = nil
            context.events.append(.streamClosed(streamID: streamID, errorCode: errorCode))
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_not_send_callback(callbacks) { _, frame, _, userData in
            guard let frame, let userData else { return 0 }
            let context = Unmanaged<HTTP2ClientSessionContext>.fromOpaque(userData).takeUnretainedValue()
            // A request nghttp2 could not start (GOAWAY received, stream ids exhausted): the server
            // never saw it, which is what REFUSED_STREAM means.
            if frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue) {
                let streamID = frame.pointee.hd.stream_id
                context.bodies[streamID] = nil
                context.events.append(.streamClosed(streamID: streamID, errorCode: HTTP2ErrorCode.refusedStream.rawValue))
            }
            return 0
        }
    }

    /// The data provider's read callback (a C function pointer: no captures, context via user_data).
    static let readBody: nghttp2_data_source_read_callback = { _, streamID, buffer, length, flags, _, userData in
        guard let buffer, let flags, let userData else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
        let context = Unmanaged<HTTP2ClientSessionContext>.fromOpaque(userData).takeUnretainedValue()
        return context.readBody(streamID: streamID, into: buffer, length: length, flags: flags)
    }

    private func frameReceived(_ frame: UnsafePointer<nghttp2_frame>) {
        let header = frame.pointee.hd
        let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        switch UInt32(header.type) {
        case NGHTTP2_HEADERS.rawValue:
            let fields = headerBlocks.removeValue(forKey: header.stream_id) ?? []
            let isTrailers = frame.pointee.headers.cat == NGHTTP2_HCAT_HEADERS
            events.append(.headers(streamID: header.stream_id, fields: fields, isTrailers: isTrailers, endStream: endStream))
        case NGHTTP2_DATA.rawValue:
            if endStream { events.append(.data(streamID: header.stream_id, bytes: [], endStream: true)) }
        case NGHTTP2_GOAWAY.rawValue:
            events.append(.goAway(lastStreamID: frame.pointee.goaway.last_stream_id, errorCode: frame.pointee.goaway.error_code))
        case NGHTTP2_PING.rawValue where header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0:
            let opaque = withUnsafeBytes(of: frame.pointee.ping.opaque_data) { $0.loadUnaligned(as: UInt64.self) }
            events.append(.pingAcknowledged(opaque: UInt64(bigEndian: opaque)))
        case NGHTTP2_SETTINGS.rawValue where header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) == 0:
            // The owner reads the limits back from the session: a SETTINGS frame may omit a field.
            events.append(.settingsReceived)
        default:
            break
        }
    }
}
