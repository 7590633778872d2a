internal import CHiredis
internal import NIOCore

/// Encodes ``RedisCommand``s as RESP multi-bulk requests with hiredis's `redisFormatSdsCommandArgv`.
///
/// The sds variant rather than `redisFormatCommandArgv`: hiredis 0.14's plain formatter writes the
/// length headers with `sprintf`, which showed up as a tenth of the client's CPU under load; the
/// sds one uses its own integer formatting. Both produce identical bytes.
enum RESPCommandFormatter {
    /// Appends the RESP encoding of `command` to `buffer`.
    ///
    /// hiredis allocates the encoded command; it is copied into `buffer` and freed before
    /// returning, so no C memory outlives the call. The argv table lives on the stack.
    static func format(_ command: RedisCommand, into buffer: inout ByteBuffer) {
        let lengths = command.lengths
        let argumentCount = lengths.count
        command.storage.withUnsafeBufferPointer { storage in
            // An all-empty command has no storage; hiredis copies zero bytes from any valid pointer.
            let empty: StaticString = ""
            let base = storage.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(empty.utf8Start)
            withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: argumentCount) { argv in
                var offset = 0
                for (index, length) in lengths.enumerated() {
                    argv[index] = (base + offset).assumingMemoryBound(to: CChar.self)
                    offset += length
                }
                var target: sds?
                let count = lengths.withUnsafeBufferPointer { lengthPointer in
                    redisFormatSdsCommandArgv(&target, Int32(argumentCount), argv.baseAddress, lengthPointer.baseAddress)
                }
                defer { redisFreeSdsCommand(target) }
                guard count >= 0, let target else {
                    fatalError("hiredis could not format a command (out of memory)")
                }
                buffer.writeBytes(UnsafeRawBufferPointer(start: target, count: Int(count)))
            }
        }
    }
}
