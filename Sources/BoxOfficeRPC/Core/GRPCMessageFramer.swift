public import NIOCore

/// Writes gRPC length-prefixed messages: a 1-byte compressed flag (always 0 here, since this
/// library does not compress) and a 4-byte big-endian length, then the message bytes.
public enum GRPCMessageFramer {
    /// The size of the prefix before every message.
    public static let prefixLength = 5

    /// Appends one framed message to `buffer`.
    public static func frame(_ message: [UInt8], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(truncatingIfNeeded: message.count), endianness: .big)
        buffer.writeBytes(message)
    }

    /// Appends one framed message (given as a buffer) to `buffer`.
    public static func frame(_ message: ByteBuffer, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(truncatingIfNeeded: message.readableBytes), endianness: .big)
        buffer.writeImmutableBuffer(message)
    }

    /// One framed message as a byte array.
    public static func frame(_ message: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(message.count + prefixLength)
        for index in 0..<prefixLength { out.append(prefixByte(index, messageLength: message.count)) }
        out.append(contentsOf: message)
        return out
    }

    /// Byte `index` of the prefix for a message of `messageLength` bytes: byte 0 is the compressed
    /// flag (0), bytes 1–4 the big-endian length.
    static func prefixByte(_ index: Int, messageLength: Int) -> UInt8 {
        guard index > 0 else { return 0 }
        return UInt8(truncatingIfNeeded: UInt32(truncatingIfNeeded: messageLength) >> (8 * UInt32(prefixLength - 1 - index)))
    }
}
