import Foundation

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
