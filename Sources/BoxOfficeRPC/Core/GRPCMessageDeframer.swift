public import NIOCore

/// Splits a byte stream into gRPC length-prefixed messages, however the bytes are chunked.
///
/// A value type with no I/O: append received bytes, then call ``next()`` until it returns nil.
/// The length prefix is checked as soon as it arrives, so an oversized message is rejected
/// before its body is buffered.
public struct GRPCMessageDeframer: Sendable {
    /// The largest message accepted, in bytes.
    public let maxMessageSize: Int
    private var buffer: ByteBuffer
    private var pendingLength: Int?

    /// Creates a deframer.
    ///
    /// - Parameter maxMessageSize: longer messages make ``next()`` throw `resourceExhausted`.
    public init(maxMessageSize: Int = 4 * 1024 * 1024) {
        self.maxMessageSize = maxMessageSize
        self.buffer = Self.emptyBuffer
        self.pendingLength = nil
    }

    /// Shared by every deframer with nothing buffered, so an idle deframer allocates nothing.
    private static let emptyBuffer = ByteBuffer()

    /// Appends received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.writeBytes(bytes)
    }

    /// Appends received bytes.
    ///
    /// With nothing buffered, the deframer keeps `bytes` itself (no copy); messages are then read
    /// straight out of it.
    public mutating func append(_ bytes: ByteBuffer) {
        if buffer.readableBytes == 0 {
            buffer = bytes
        } else {
            var bytes = bytes
            buffer.writeBuffer(&bytes)
        }
    }

    /// Appends received bytes.
    public mutating func append(_ bytes: [UInt8]) {
        buffer.writeBytes(bytes)
    }

    /// Whether bytes of an incomplete message are buffered; at end of stream this means the
    /// peer sent a truncated message.
    public var hasPartialMessage: Bool { pendingLength != nil || buffer.readableBytes > 0 }

    /// The number of bytes buffered and not yet returned.
    public var bufferedBytes: Int { buffer.readableBytes }

    /// Returns the next complete message, or nil when more bytes are needed.
    ///
    /// - Throws: ``RPCError`` `resourceExhausted` when the prefix announces more than
    ///   ``maxMessageSize`` bytes; `internal` when the compressed flag is set (this library
    ///   negotiates no compression) or the flag byte is not 0 or 1.
    public mutating func next() throws(RPCError) -> [UInt8]? {
        if pendingLength == nil {
            guard buffer.readableBytes >= GRPCMessageFramer.prefixLength,
                  let flag = buffer.readInteger(as: UInt8.self),
                  let length = buffer.readInteger(endianness: .big, as: UInt32.self) else { return nil }
            switch flag {
            case 0: break
            case 1: throw RPCError(code: .internal,
                                   message: "compressed message received but no grpc-encoding was negotiated")
            default: throw RPCError(code: .internal, message: "invalid message flag \(flag)")
            }
            guard Int(length) <= maxMessageSize else {
                throw RPCError(code: .resourceExhausted,
                               message: "message of \(length) bytes exceeds the limit of \(maxMessageSize) bytes")
            }
            pendingLength = Int(length)
        }
        guard let length = pendingLength, buffer.readableBytes >= length,
              let message = buffer.readBytes(length: length) else { return nil }
        pendingLength = nil
        // Drop a consumed buffer (it may be a slice of a larger receive buffer worth freeing).
        if buffer.readableBytes == 0 { buffer = Self.emptyBuffer } else if buffer.readerIndex > 64 * 1024 { buffer.discardReadBytes() }
        return message
    }
}
