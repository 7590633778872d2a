/// One reply from a Redis server, in RESP2 terms.
///
/// Bulk strings are kept as raw bytes because Redis values are binary-safe; use ``string``
/// when the value is known to be text. A server error reply is a value here (``error(_:)``)
/// so a pipelined batch can carry it next to successful replies; the typed helpers turn it into
/// a thrown ``RedisError``.
public enum RESPValue: Sendable, Hashable {
    /// A status reply such as `+OK`.
    case simpleString(String)
    /// An error reply such as `-WRONGTYPE Operation against a key ...`.
    case error(RedisServerError)
    /// An integer reply such as `:42`.
    case integer(Int64)
    /// A bulk string reply; binary-safe.
    case bulkString([UInt8])
    /// A null bulk string or null array (`$-1`, `*-1`).
    case null
    /// An array reply; elements may themselves be any value.
    indirect case array([RESPValue])
}

extension RESPValue {
    /// The text of a bulk or simple string (UTF-8 decoded, invalid sequences repaired); `nil` otherwise.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The bytes of a bulk or simple string; `nil` otherwise.
    public var bytes: [UInt8]? {
        switch self {
        case .simpleString(let text): Array(text.utf8)
        case .bulkString(let bytes): bytes
        default: nil
        }
    }

    /// The integer of an integer reply, or of a bulk string that holds a decimal integer.
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulkString(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    /// The elements of an array reply; `nil` otherwise.
    public var array: [RESPValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this is a null reply.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value itself, or the server error it carries thrown as a ``RedisError``.
    public func throwingServerError() throws(RedisError) -> RESPValue {
        if case .error(let serverError) = self { throw RedisError(serverError) }
        return self
    }
}

/// An error reply from the server, split into its prefix and message.
///
/// Redis error replies start with an upper-case word naming the kind of error
/// (`ERR`, `WRONGTYPE`, `NOSCRIPT`, `LOADING`, `NOAUTH`, `WRONGPASS`, `MOVED`, ...).
public struct RedisServerError: Sendable, Hashable, CustomStringConvertible {
    /// The leading word of the error reply, e.g. `NOSCRIPT`; `ERR` when the reply has none.
    public var prefix: String
    /// The rest of the error reply after the prefix.
    public var message: String

    /// Splits a raw error reply (without the leading `-`) into prefix and message.
    public init(reply: String) {
        let firstWord = reply.prefix { $0 != " " }
        if !firstWord.isEmpty, firstWord.allSatisfy({ $0.isUppercase || $0 == "_" || $0.isNumber }) {
            prefix = String(firstWord)
            message = String(reply.dropFirst(firstWord.count).drop { $0 == " " })
        } else {
            prefix = "ERR"
            message = reply
        }
    }

    /// Creates an error from its parts.
    public init(prefix: String, message: String) {
        self.prefix = prefix
        self.message = message
    }

    /// `PREFIX message`, as the server sent it.
    public var description: String { "\(prefix) \(message)" }
}
