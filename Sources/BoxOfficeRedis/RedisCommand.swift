/// One Redis command: a name and binary-safe arguments, stored back to back.
///
/// Build with `RedisCommand("SET", key, value)`; every argument is anything that conforms to
/// ``RedisArgument`` (strings, byte arrays, integers, doubles). Encoding to RESP happens in
/// hiredis's formatter when the command is written.
public struct RedisCommand: Sendable, Hashable, CustomStringConvertible {
    /// Every argument's bytes (the command name first), concatenated.
    private(set) var storage: [UInt8] = []
    /// The length of each argument in ``storage``.
    private(set) var lengths: [Int] = []

    /// Creates a command from its name and arguments.
    public init(_ name: String, _ arguments: any RedisArgument...) {
        self.init(name, arguments: arguments)
    }

    /// Creates a command from its name and an array of arguments.
    public init(_ name: String, arguments: [any RedisArgument]) {
        storage.reserveCapacity(name.utf8.count + arguments.count * 16)
        lengths.reserveCapacity(arguments.count + 1)
        append(name)
        for argument in arguments { append(argument) }
    }

    /// Appends one argument.
    public mutating func append(_ argument: some RedisArgument) {
        let start = storage.count
        argument.appendRedisArgument(to: &storage)
        lengths.append(storage.count - start)
    }

    /// Appends one argument given as an existential.
    public mutating func append(_ argument: any RedisArgument) {
        let start = storage.count
        argument.appendRedisArgument(to: &storage)
        lengths.append(storage.count - start)
    }

    /// The number of arguments, the name included.
    public var argumentCount: Int { lengths.count }

    /// The arguments' bytes, the name first.
    public var arguments: [[UInt8]] {
        var offset = 0
        return lengths.map { length in
            defer { offset += length }
            return Array(storage[offset..<offset + length])
        }
    }

    /// The command name, upper-cased as sent.
    public var name: String { String(decoding: storage.prefix(lengths.first ?? 0), as: UTF8.self) }

    public var description: String { "RedisCommand(\(name), \(argumentCount - 1) arguments)" }
}

/// A value that can be sent as one binary-safe Redis command argument.
public protocol RedisArgument: Sendable {
    /// Appends this argument's bytes (no RESP framing) to `bytes`.
    func appendRedisArgument(to bytes: inout [UInt8])
}

extension String: RedisArgument {
    public func appendRedisArgument(to bytes: inout [UInt8]) { bytes.append(contentsOf: utf8) }
}

extension Substring: RedisArgument {
    public func appendRedisArgument(to bytes: inout [UInt8]) { bytes.append(contentsOf: utf8) }
}

extension Array: RedisArgument where Element == UInt8 {
    public func appendRedisArgument(to bytes: inout [UInt8]) { bytes.append(contentsOf: self) }
}

extension Int: RedisArgument {
    public func appendRedisArgument(to bytes: inout [UInt8]) { bytes.append(contentsOf: String(self).utf8) }
}

extension Int64: RedisArgument {
    public func appendRedisArgument(to bytes: inout [UInt8]) { bytes.append(contentsOf: String(self).utf8) }
}

extension Double: RedisArgument {
    /// Sent in Swift's shortest round-tripping form; infinities as `+inf`/`-inf` as Redis expects.
    public func appendRedisArgument(to bytes: inout [UInt8]) {
        let text = isInfinite ? (self < 0 ? "-inf" : "+inf") : String(self)
        bytes.append(contentsOf: text.utf8)
    }
}
