/// gRPC metadata: an ordered list of key–value pairs where a key may repeat.
///
/// Keys are lower-cased on insertion. Keys ending in `-bin` carry binary values, sent base64
/// encoded (unpadded) on the wire; all other keys carry printable-ASCII strings. Mirrors
/// grpc-swift-2's `Metadata`.
public struct Metadata: Sendable, Hashable {
    /// A metadata value: a string, or bytes for `-bin` keys.
    public enum Value: Sendable, Hashable {
        /// A printable-ASCII value.
        case string(String)
        /// A binary value (key ends in `-bin`).
        case binary([UInt8])
    }

    /// One key–value pair.
    public struct Element: Sendable, Hashable {
        /// The lower-case key.
        public var key: String
        /// The value.
        public var value: Value
    }

    private var elements: [Element]

    /// Creates empty metadata.
    public init() { self.elements = [] }

    /// The number of key–value pairs.
    public var count: Int { elements.count }
    /// Whether there are no pairs.
    public var isEmpty: Bool { elements.isEmpty }

    /// Appends a string value for `key` (lower-cased). Existing values for the key are kept.
    public mutating func addString(_ value: String, forKey key: String) {
        elements.append(Element(key: Self.lowercasedKey(key), value: .string(value)))
    }

    /// Appends a binary value for `key` (lower-cased; should end in `-bin`).
    public mutating func addBinary(_ value: [UInt8], forKey key: String) {
        elements.append(Element(key: Self.lowercasedKey(key), value: .binary(value)))
    }

    /// Appends a value for `key`.
    public mutating func add(key: String, value: Value) {
        elements.append(Element(key: Self.lowercasedKey(key), value: value))
    }

    /// Appends every pair of `other`, keeping order.
    public mutating func add(contentsOf other: Metadata) {
        elements.append(contentsOf: other.elements)
    }

    /// Replaces all values for `key` with a single string value.
    public mutating func replaceOrAddString(_ value: String, forKey key: String) {
        removeAllValues(forKey: key)
        addString(value, forKey: key)
    }

    /// Removes every value for `key`; returns whether anything was removed.
    @discardableResult
    public mutating func removeAllValues(forKey key: String) -> Bool {
        let key = Self.lowercasedKey(key)
        let before = elements.count
        elements.removeAll { $0.key == key }
        return elements.count != before
    }

    /// All values for `key`, in order.
    public subscript(key: String) -> [Value] {
        let key = Self.lowercasedKey(key)
        return elements.compactMap { $0.key == key ? $0.value : nil }
    }

    /// The string values for `key`, in order (binary values are skipped).
    public subscript(stringValues key: String) -> [String] {
        self[key].compactMap { if case .string(let s) = $0 { s } else { nil } }
    }

    /// The binary values for `key`, in order (string values are skipped).
    public subscript(binaryValues key: String) -> [[UInt8]] {
        self[key].compactMap { if case .binary(let b) = $0 { b } else { nil } }
    }

    /// `key.lowercased()`, without building a new string when the key has no upper-case letter
    /// (metadata keys almost never do).
    private static func lowercasedKey(_ key: String) -> String {
        key.utf8.allSatisfy { $0 < 0x80 && !($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) } ? key : key.lowercased()
    }

    /// The first string value for `key` (found without building the list of all values).
    public func firstString(forKey key: String) -> String? {
        let key = Self.lowercasedKey(key)
        for element in elements where element.key == key {
            if case .string(let string) = element.value { return string }
        }
        return nil
    }
}

extension Metadata: RandomAccessCollection {
    public var startIndex: Int { elements.startIndex }
    public var endIndex: Int { elements.endIndex }
    public subscript(position: Int) -> Element { elements[position] }
}

extension Metadata: ExpressibleByDictionaryLiteral {
    /// Creates metadata from pairs, e.g. `["x-request-id": "42"]`.
    public init(dictionaryLiteral pairs: (String, Value)...) {
        self.init()
        for (key, value) in pairs { add(key: key, value: value) }
    }
}

extension Metadata.Value: ExpressibleByStringLiteral {
    /// A string value.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension Metadata: CustomStringConvertible {
    public var description: String {
        "[" + elements.map { element in
            switch element.value {
            case .string(let s): "\(element.key): \(s)"
            case .binary(let b): "\(element.key): <\(b.count) bytes>"
            }
        }.joined(separator: ", ") + "]"
    }
}

// MARK: - Wire form

extension Metadata {
    /// Whether `key` is a valid metadata key: non-empty, only `[0-9a-z_.-]` (after lower-casing
    /// by the caller), and not a pseudo-header.
    public static func isValidKey(_ key: some StringProtocol) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }

    /// Whether `value` may be sent as an ASCII metadata value: printable ASCII (0x20–0x7E).
    public static func isValidASCIIValue(_ value: some StringProtocol) -> Bool {
        value.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
    }

    /// Header names that belong to the HTTP/2 or gRPC protocol and never appear as metadata.
    public static let reservedHeaderNames: Set<String> = [
        "content-type", "te", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding",
        "grpc-status", "grpc-message", "content-length", "connection", "host",
        "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
    ]

    /// Builds metadata from received header fields.
    ///
    /// Skips pseudo-headers and ``reservedHeaderNames``. `-bin` values are base64-decoded
    /// (padded or not; a comma-joined list becomes several values).
    ///
    /// - Throws: ``RPCError`` with code `internal` when a `-bin` value is not valid base64.
    public init(headerFields: some Sequence<(name: String, value: String)>) throws(RPCError) {
        self.init()
        for (name, value) in headerFields {
            if name.utf8.first == UInt8(ascii: ":") || Self.reservedHeaderNames.contains(name) { continue }
            try appendReceived(name: name, value: value)
        }
    }

    /// Appends one received field: `-bin` values base64-decoded (a comma-joined list becomes
    /// several values), others as strings.
    private mutating func appendReceived(name: String, value: String) throws(RPCError) {
        try appendReceived(name: name, value: value, isBinary: name.hasSuffix("-bin"))
    }

    /// Appends one received field whose name is already known to be lower case and not reserved
    /// (``HTTP2RequestHeaders`` checks both on the bytes): with `isBinary` (the name ends in
    /// `-bin`) the value is base64-decoded, a comma-joined list becoming several values.
    ///
    /// - Throws: ``invalidBase64(key:)`` when a binary value is not valid base64; nothing is appended then.
    package mutating func appendReceived(name: String, value: String, isBinary: Bool) throws(RPCError) {
        guard isBinary else {
            elements.append(Element(key: name, value: .string(value)))
            return
        }
        var decoded: [Element] = []
        for part in value.split(separator: ",", omittingEmptySubsequences: false) {
            guard let bytes = Base64.decode(part.trimmingASCIISpaces()) else { throw Self.invalidBase64(key: name) }
            decoded.append(Element(key: name, value: .binary(bytes)))
        }
        elements.append(contentsOf: decoded)
    }

    /// The error for a received `-bin` value that is not valid base64.
    package static func invalidBase64(key: String) -> RPCError {
        RPCError(code: .internal, message: "invalid base64 in metadata '\(key)'")
    }

    /// The header fields that send this metadata: binary values base64 encoded without padding.
    ///
    /// Pairs with an invalid key, a reserved name, a string value that is not printable ASCII,
    /// or a binary value under a key not ending in `-bin` (and vice versa) are skipped, because
    /// sending them would make the peer reset the stream.
    public func headerFields() -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(elements.count)
        for element in elements {
            guard Self.isValidKey(element.key), !Self.reservedHeaderNames.contains(element.key) else { continue }
            let isBinaryKey = element.key.hasSuffix("-bin")
            switch element.value {
            case .string(let s):
                if isBinaryKey {
                    fields.append((element.key, Base64.encode(Array(s.utf8))))
                } else if Self.isValidASCIIValue(s) {
                    fields.append((element.key, s))
                }
            case .binary(let b):
                if isBinaryKey { fields.append((element.key, Base64.encode(b))) }
            }
        }
        return fields
    }
}

extension Substring {
    fileprivate func trimmingASCIISpaces() -> Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
