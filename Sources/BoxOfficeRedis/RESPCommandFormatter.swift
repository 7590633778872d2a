internal import CHiredis
internal import NIOCore

/// Encodes ``RedisCommand``s as RESP multi-bulk requests with hiredis's `redisFormatCommandArgv`.
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
                var target: UnsafeMutablePointer<CChar>?
                let count = lengths.withUnsafeBufferPointer { lengthPointer in
                    redisFormatCommandArgv(&target, Int32(argumentCount), argv.baseAddress, lengthPointer.baseAddress)
                }
                defer { redisFreeCommand(target) }
                guard count >= 0, let target else {
                    fatalError("hiredis could not format a command (out of memory)")
                }
                buffer.writeBytes(UnsafeRawBufferPointer(start: target, count: Int(count)))
            }
        }
    }
}
