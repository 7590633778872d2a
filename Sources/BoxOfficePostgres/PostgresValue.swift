public import Foundation

/// One statement parameter in the form it travels to the server.
///
/// Parameters are sent in text format with their type left for the server to infer from the
/// statement (so `$1` compared with a `uuid` column accepts a UUID's text), except `bytea`,
/// which goes in binary. Statements never contain caller data: only `$n` placeholders.
public enum PostgresValue: Sendable, Hashable {
    /// SQL `NULL`.
    case null
    /// A value in PostgreSQL's text input syntax for the parameter's type.
    case text(String)
    /// Raw bytes in the type's binary format (used for `bytea`).
    case binary([UInt8])
}

/// A Swift value that can be bound to a `$n` parameter.
public protocol PostgresEncodable: Sendable {
    /// The value as sent to the server.
    var postgresValue: PostgresValue { get }
}

extension PostgresValue: PostgresEncodable {
    public var postgresValue: PostgresValue { self }
}

extension Int: PostgresEncodable { public var postgresValue: PostgresValue { .text(String(self)) } }
extension Int16: PostgresEncodable { public var postgresValue: PostgresValue { .text(String(self)) } }
extension Int32: PostgresEncodable { public var postgresValue: PostgresValue { .text(String(self)) } }
extension Int64: PostgresEncodable { public var postgresValue: PostgresValue { .text(String(self)) } }
extension Double: PostgresEncodable { public var postgresValue: PostgresValue { .text(String(self)) } }
extension String: PostgresEncodable { public var postgresValue: PostgresValue { .text(self) } }
extension Substring: PostgresEncodable { public var postgresValue: PostgresValue { .text(String(self)) } }
extension Bool: PostgresEncodable { public var postgresValue: PostgresValue { .text(self ? "t" : "f") } }
extension UUID: PostgresEncodable { public var postgresValue: PostgresValue { .text(uuidString) } }

extension Date: PostgresEncodable {
    /// A `timestamptz` literal in UTC with microsecond precision.
    public var postgresValue: PostgresValue { .text(PostgresTimestamp.text(for: self)) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresValue: PostgresValue {
        switch self {
        case .some(let value): value.postgresValue
        case .none: .null
        }
    }
}

/// A `jsonb` (or `json`) parameter or column, kept as its UTF-8 JSON bytes.
public struct PostgresJSONB: Sendable, Hashable, PostgresEncodable {
    /// The JSON document's UTF-8 bytes.
    public var bytes: [UInt8]
    /// Wraps JSON bytes; the server validates them.
    public init(bytes: [UInt8]) { self.bytes = bytes }
    /// Wraps a JSON document given as text.
    public init(_ json: String) { self.bytes = Array(json.utf8) }
    public var postgresValue: PostgresValue { .text(String(decoding: bytes, as: UTF8.self)) }
}

/// An element type that arrays can be encoded from: `[Int64]` becomes `bigint[]`, `[UInt8]` becomes `bytea`.
public protocol PostgresArrayElementEncodable: Sendable {
    /// Encodes a whole array of this element type.
    static func postgresValue(forArray elements: [Self]) -> PostgresValue
}

extension Array: PostgresEncodable where Element: PostgresArrayElementEncodable {
    public var postgresValue: PostgresValue { Element.postgresValue(forArray: self) }
}

extension UInt8: PostgresArrayElementEncodable {
    /// `[UInt8]` is `bytea`, sent in binary.
    public static func postgresValue(forArray elements: [UInt8]) -> PostgresValue { .binary(elements) }
}

extension Int: PostgresArrayElementEncodable {
    public static func postgresValue(forArray elements: [Int]) -> PostgresValue {
        .text("{" + elements.map { String($0) }.joined(separator: ",") + "}")
    }
}

extension Int64: PostgresArrayElementEncodable {
    public static func postgresValue(forArray elements: [Int64]) -> PostgresValue {
        .text("{" + elements.map { String($0) }.joined(separator: ",") + "}")
    }
}

extension Int32: PostgresArrayElementEncodable {
    public static func postgresValue(forArray elements: [Int32]) -> PostgresValue {
        .text("{" + elements.map { String($0) }.joined(separator: ",") + "}")
    }
}

extension String: PostgresArrayElementEncodable {
    /// Every element is double-quoted with `"` and `\` escaped, so commas, braces and `NULL` stay literal.
    public static func postgresValue(forArray elements: [String]) -> PostgresValue {
        var literal = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { literal += "," }
            literal += "\""
            for character in element.unicodeScalars {
                if character == "\"" || character == "\\" { literal += "\\" }
                literal.unicodeScalars.append(character)
            }
            literal += "\""
        }
        return .text(literal + "}")
    }
}
