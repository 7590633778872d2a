internal import CHiredis

/// Parses bytes from a Redis server into ``RESPValue``s with hiredis's `redisReader`.
///
/// The reader owns exactly one `redisReader`, created in `init` and freed in `deinit`; being
/// `~Copyable`, it cannot be duplicated, so the handle is freed exactly once. Feed bytes as they
/// arrive (any split is fine) and pull complete replies with ``next()``. Not thread-safe: keep it
/// on one event loop.
struct RESPReader: ~Copyable {
    private let reader: UnsafeMutablePointer<redisReader>

    init() {
        guard let reader = redisReaderCreate() else {
            fatalError("hiredis could not allocate a redisReader (out of memory)")
        }
        self.reader = reader
    }

    deinit {
        redisReaderFree(reader)
    }

    /// Appends received bytes to the reader's buffer; hiredis copies them.
    mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(RedisError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let status = redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count)
        if status != REDIS_OK { throw protocolError() }
    }

    /// The next complete reply, or `nil` when more bytes are needed.
    ///
    /// Throws ``RedisError/Code/protocolViolation`` when the bytes are not RESP; the reader is
    /// unusable afterwards and the connection must be closed.
    mutating func next() throws(RedisError) -> RESPValue? {
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &raw) == REDIS_OK else { throw protocolError() }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return Self.value(of: raw.assumingMemoryBound(to: redisReply.self))
    }

    private func protocolError() -> RedisError {
        let detail = withUnsafeBytes(of: reader.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        return RedisError(code: .protocolViolation, message: "invalid RESP from server: \(detail)")
    }

    /// Copies a hiredis reply tree into Swift values; the tree stays owned by the caller.
    private static func value(of reply: UnsafeMutablePointer<redisReply>) -> RESPValue {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING:
            return .bulkString(bytes(node.str, node.len))
        case REDIS_REPLY_STATUS:
            return .simpleString(String(decoding: bytes(node.str, node.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(RedisServerError(reply: String(decoding: bytes(node.str, node.len), as: UTF8.self)))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(node.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RESPValue] = []
            elements.reserveCapacity(node.elements)
            for index in 0..<node.elements {
                if let child = node.element[index] { elements.append(value(of: child)) } else { elements.append(.null) }
            }
            return .array(elements)
        default:
            return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
