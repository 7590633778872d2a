import NIOCore

/// One stream's response messages on their way to nghttp2's DATA frames, framed (5-byte gRPC
/// prefix) as they are read out.
///
/// The first queued message is kept as the handler's own array, so a unary response costs no
/// buffer allocation and no copy before nghttp2's; only messages queued behind an unsent one are
/// framed into a buffer.
package struct OutboundMessageQueue {
    /// The message being sent, unframed; `headSent` counts its framed bytes already read out.
    private var head: [UInt8]?
    private var headSent = 0
    /// Framed messages queued behind `head`.
    private var tail = ByteBuffer()

    package init() {}

    /// Framed bytes not yet read out.
    package var count: Int {
        (head.map { GRPCMessageFramer.prefixLength + $0.count - headSent } ?? 0) + tail.readableBytes
    }

    /// Queues `message`, to be framed.
    package mutating func append(_ message: [UInt8]) {
        if head == nil && tail.readableBytes == 0 {
            head = message
            headSent = 0
        } else {
            GRPCMessageFramer.frame(message, into: &tail)
        }
    }

    /// Copies up to `destination.count` framed bytes into `destination`; returns how many.
    package mutating func read(into destination: UnsafeMutableRawBufferPointer) -> Int {
        var written = 0
        if let message = head {
            written = Self.copyFramed(message, from: headSent, into: destination)
            headSent += written
            guard headSent == GRPCMessageFramer.prefixLength + message.count else { return written }
            head = nil
            headSent = 0
        }
        let fromTail = min(destination.count - written, tail.readableBytes)
        if fromTail > 0 {
            tail.withUnsafeReadableBytes { raw in
                UnsafeMutableRawBufferPointer(rebasing: destination[written...])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[..<fromTail]))
            }
            tail.moveReaderIndex(forwardBy: fromTail)
            written += fromTail
            if tail.readableBytes == 0 { tail = ByteBuffer() }  // the storage goes with the last byte
        }
        return written
    }

    /// Copies the framed form of `message`, from framed offset `offset`, as far as `destination` holds.
    private static func copyFramed(_ message: [UInt8], from offset: Int, into destination: UnsafeMutableRawBufferPointer) -> Int {
        let prefixLength = GRPCMessageFramer.prefixLength
        var written = 0
        var position = offset
        while position < prefixLength && written < destination.count {
            destination[written] = GRPCMessageFramer.prefixByte(position, messageLength: message.count)
            position += 1
            written += 1
        }
        let bodyCount = min(destination.count - written, message.count - (position - prefixLength))
        if bodyCount > 0 {
            message.withUnsafeBytes { body in
                let start = position - prefixLength
                UnsafeMutableRawBufferPointer(rebasing: destination[written...])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: body[start..<(start + bodyCount)]))
            }
            written += bodyCount
        }
        return written
    }
}
