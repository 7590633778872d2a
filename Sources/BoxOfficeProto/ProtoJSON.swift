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
