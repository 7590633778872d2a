import Foundation

/// A JSON object key for the proto3 JSON mapping (any field name).
public struct ProtoJSONKey: CodingKey, Hashable, Sendable, ExpressibleByStringLiteral {
    public var stringValue: String
    public var intValue: Int? { nil }

    /// A key named `stringValue`.
    public init(stringValue: String) { self.stringValue = stringValue }
    /// Integer keys are not used by the proto3 JSON mapping.
    public init?(intValue: Int) { nil }
    /// A key from a literal.
    public init(stringLiteral value: String) { self.stringValue = value }
}

/// A Swift field type and the `Codable` value that has its proto3 JSON form.
///
/// Generated `Codable` implementations encode `value.jsonForm` and decode `JSONForm` then
/// convert back, so 64-bit integers become strings, bytes base64, non-finite floats
/// `"NaN"`/`"Infinity"`, and so on.
public protocol ProtoJSONRepresentable {
    /// The `Codable` value with the proto3 JSON form of this type.
    associatedtype JSONForm: Codable
    /// This value in its JSON form.
    var jsonForm: JSONForm { get }
    /// The value a JSON form stands for.
    init(jsonForm: JSONForm) throws
}

extension ProtoJSONRepresentable where JSONForm == Self {
    /// Messages and enums are their own JSON form.
    public var jsonForm: Self { self }
    /// Messages and enums are their own JSON form.
    public init(jsonForm: Self) { self = jsonForm }
}

extension String: ProtoJSONRepresentable {
    public var jsonForm: String { self }
    public init(jsonForm: String) { self = jsonForm }
}

extension Bool: ProtoJSONRepresentable {
    public var jsonForm: Bool { self }
    public init(jsonForm: Bool) { self = jsonForm }
}

extension Int32: ProtoJSONRepresentable {
    public var jsonForm: ProtoJSONInteger<Int32> { ProtoJSONInteger(self) }
    public init(jsonForm: ProtoJSONInteger<Int32>) { self = jsonForm.value }
}

extension UInt32: ProtoJSONRepresentable {
    public var jsonForm: ProtoJSONInteger<UInt32> { ProtoJSONInteger(self) }
    public init(jsonForm: ProtoJSONInteger<UInt32>) { self = jsonForm.value }
}

extension Int64: ProtoJSONRepresentable {
    public var jsonForm: ProtoJSONInteger<Int64> { ProtoJSONInteger(self) }
    public init(jsonForm: ProtoJSONInteger<Int64>) { self = jsonForm.value }
}

extension UInt64: ProtoJSONRepresentable {
    public var jsonForm: ProtoJSONInteger<UInt64> { ProtoJSONInteger(self) }
    public init(jsonForm: ProtoJSONInteger<UInt64>) { self = jsonForm.value }
}

extension Double: ProtoJSONRepresentable {
    public var jsonForm: ProtoJSONFloatingPoint<Double> { ProtoJSONFloatingPoint(self) }
    public init(jsonForm: ProtoJSONFloatingPoint<Double>) { self = jsonForm.value }
}

extension Float: ProtoJSONRepresentable {
    public var jsonForm: ProtoJSONFloatingPoint<Float> { ProtoJSONFloatingPoint(self) }
    public init(jsonForm: ProtoJSONFloatingPoint<Float>) { self = jsonForm.value }
}

extension Array: ProtoJSONRepresentable where Element == UInt8 {
    public var jsonForm: ProtoJSONBytes { ProtoJSONBytes(self) }
    public init(jsonForm: ProtoJSONBytes) { self = jsonForm.value }
}

/// An integer in proto3 JSON: 64-bit values as decimal strings, 32-bit as numbers; both
/// accepted either way on input.
public struct ProtoJSONInteger<Value: FixedWidthInteger & Codable & Sendable>: Codable, Sendable {
    /// The integer.
    public var value: Value

    /// Wraps `value`.
    public init(_ value: Value) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Value.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Value(text) {
            value = number
        } else if let real = try? container.decode(Double.self), let number = Value(exactly: real) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a \(Value.self)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if Value.bitWidth > 32 {
            try container.encode(String(value))
        } else {
            try container.encode(value)
        }
    }
}

/// A `float` or `double` in proto3 JSON: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`.
public struct ProtoJSONFloatingPoint<Value: BinaryFloatingPoint & LosslessStringConvertible & Codable & Sendable>: Codable, Sendable {
    /// The number.
    public var value: Value

    /// Wraps `value`.
    public init(_ value: Value) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Value.self) {
            value = number
        } else if let text = try? container.decode(String.self) {
            switch text {
            case "NaN": value = .nan
            case "Infinity": value = .infinity
            case "-Infinity": value = -.infinity
            default:
                guard let number = Value(text) else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a number: \(text)")
                }
                value = number
            }
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a \(Value.self)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if value.isNaN {
            try container.encode("NaN")
        } else if value.isInfinite {
            try container.encode(value < 0 ? "-Infinity" : "Infinity")
        } else {
            try container.encode(value)
        }
    }
}

/// `bytes` in proto3 JSON: standard base64 with padding; URL-safe and unpadded accepted.
public struct ProtoJSONBytes: Codable, Sendable {
    /// The bytes.
    public var value: [UInt8]

    /// Wraps `value`.
    public init(_ value: [UInt8]) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let bytes = ProtoBase64.decode(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid base64")
        }
        value = bytes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Data(value).base64EncodedString())
    }
}

/// Base64 as the proto3 JSON mapping reads it.
public enum ProtoBase64 {
    /// Decodes standard or URL-safe base64, padded or not; nil when malformed.
    public static func decode(_ text: String) -> [UInt8]? {
        var normalized = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while normalized.count % 4 != 0 { normalized.append("=") }
        return Data(base64Encoded: normalized).map { [UInt8]($0) }
    }
}

/// A map key type: its proto3 JSON object-key form and the order entries are encoded in.
public protocol ProtoMapKey: Hashable, Sendable {
    /// The key as a JSON object key.
    var protoJSONKey: String { get }
    /// The key a JSON object key stands for; nil when malformed.
    init?(protoJSONKey: String)
    /// Whether `self` sorts before `other` (entries are encoded sorted, so bytes are deterministic).
    func protoSorts(before other: Self) -> Bool
}

extension String: ProtoMapKey {
    public var protoJSONKey: String { self }
    public init?(protoJSONKey: String) { self = protoJSONKey }
    public func protoSorts(before other: String) -> Bool { self < other }
}

extension Bool: ProtoMapKey {
    public var protoJSONKey: String { self ? "true" : "false" }
    public init?(protoJSONKey: String) {
        switch protoJSONKey {
        case "true": self = true
        case "false": self = false
        default: return nil
        }
    }
    public func protoSorts(before other: Bool) -> Bool { !self && other }
}

extension Int32: ProtoMapKey {
    public var protoJSONKey: String { String(self) }
    public init?(protoJSONKey: String) { self.init(protoJSONKey) }
    public func protoSorts(before other: Int32) -> Bool { self < other }
}

extension Int64: ProtoMapKey {
    public var protoJSONKey: String { String(self) }
    public init?(protoJSONKey: String) { self.init(protoJSONKey) }
    public func protoSorts(before other: Int64) -> Bool { self < other }
}

extension UInt32: ProtoMapKey {
    public var protoJSONKey: String { String(self) }
    public init?(protoJSONKey: String) { self.init(protoJSONKey) }
    public func protoSorts(before other: UInt32) -> Bool { self < other }
}

extension UInt64: ProtoMapKey {
    public var protoJSONKey: String { String(self) }
    public init?(protoJSONKey: String) { self.init(protoJSONKey) }
    public func protoSorts(before other: UInt64) -> Bool { self < other }
}

/// Helpers the generated `Codable` implementations call.
public enum ProtoJSON {
    /// A map's entries in encoding order.
    public static func sortedEntries<Key: ProtoMapKey, Value>(_ map: [Key: Value]) -> [(key: Key, value: Value)] {
        map.sorted { $0.key.protoSorts(before: $1.key) }
    }

    /// A map in its JSON form: an object keyed by the keys' JSON form.
    public static func jsonForm<Key: ProtoMapKey, Value: ProtoJSONRepresentable>(_ map: [Key: Value]) -> [String: Value.JSONForm] {
        var object: [String: Value.JSONForm] = [:]
        for (key, value) in map { object[key.protoJSONKey] = value.jsonForm }
        return object
    }

    /// The map a JSON object stands for.
    public static func map<Key: ProtoMapKey, Value: ProtoJSONRepresentable>(
        _ object: [String: Value.JSONForm], keyedBy: Key.Type = Key.self
    ) throws -> [Key: Value] {
        var map: [Key: Value] = [:]
        for (text, form) in object {
            guard let key = Key(protoJSONKey: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "invalid map key \(text)"))
            }
            map[key] = try Value(jsonForm: form)
        }
        return map
    }

    /// The error for a JSON field the message does not have.
    public static func unknownField(_ key: ProtoJSONKey, in message: String,
                                    _ container: KeyedDecodingContainer<ProtoJSONKey>) -> DecodingError {
        .dataCorruptedError(forKey: key, in: container,
                            debugDescription: "\(message) has no field named \(key.stringValue)")
    }
}

extension KeyedEncodingContainer where Key == ProtoJSONKey {
    /// Encodes a field in its proto3 JSON form.
    public mutating func encodeProto<T: ProtoJSONRepresentable>(_ value: T, forKey key: Key) throws {
        try encode(value.jsonForm, forKey: key)
    }

    /// Encodes a repeated field in its proto3 JSON form.
    public mutating func encodeProto<T: ProtoJSONRepresentable>(_ values: [T], forKey key: Key) throws {
        try encode(values.map(\.jsonForm), forKey: key)
    }

    /// Encodes a map field as a JSON object.
    public mutating func encodeProto<MapKey: ProtoMapKey, MapValue: ProtoJSONRepresentable>(_ map: [MapKey: MapValue], forKey key: Key) throws {
        try encode(ProtoJSON.jsonForm(map), forKey: key)
    }
}

extension KeyedDecodingContainer where Key == ProtoJSONKey {
    /// Decodes a field from its proto3 JSON form.
    public func decodeProto<T: ProtoJSONRepresentable>(_ type: T.Type = T.self, forKey key: Key) throws -> T {
        try T(jsonForm: decode(T.JSONForm.self, forKey: key))
    }

    /// Decodes a repeated field from its proto3 JSON form.
    public func decodeProto<T: ProtoJSONRepresentable>(_ type: [T].Type = [T].self, forKey key: Key) throws -> [T] {
        try decode([T.JSONForm].self, forKey: key).map { try T(jsonForm: $0) }
    }

    /// Decodes a map field from a JSON object.
    public func decodeProto<MapKey: ProtoMapKey, MapValue: ProtoJSONRepresentable>(
        _ type: [MapKey: MapValue].Type = [MapKey: MapValue].self, forKey key: Key
    ) throws -> [MapKey: MapValue] {
        try ProtoJSON.map(decode([String: MapValue.JSONForm].self, forKey: key))
    }
}

extension SingleValueDecodingContainer {
    /// Decodes a bare value (a wrapper message's JSON form) from its proto3 JSON form.
    public func decodeProto<T: ProtoJSONRepresentable>(_ type: T.Type = T.self) throws -> T {
        try T(jsonForm: decode(T.JSONForm.self))
    }
}

extension SingleValueEncodingContainer {
    /// Encodes a bare value (a wrapper message's JSON form) in its proto3 JSON form.
    public mutating func encodeProto<T: ProtoJSONRepresentable>(_ value: T) throws {
        try encode(value.jsonForm)
    }
}
