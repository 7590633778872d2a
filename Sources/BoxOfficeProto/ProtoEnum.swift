/// A generated proto3 enum: a Swift enum whose `unrecognized(Int32)` case keeps values this
/// build does not know, so they survive a decode/encode round trip.
public protocol ProtoEnum: Sendable, Hashable, Codable, ProtoJSONRepresentable where JSONForm == Self {
    /// The case for number 0, the proto3 default.
    init()
    /// The case for `rawValue`, or `unrecognized(rawValue)`.
    init(rawValue: Int32)
    /// The wire number.
    var rawValue: Int32 { get }
    /// The case named `protoName` in the .proto (e.g. `SEAT_STATUS_AVAILABLE`), if any.
    init?(protoName: String)
    /// The name in the .proto, or nil for an unrecognized value.
    var protoName: String? { get }
}

extension ProtoEnum {
    /// Proto3 JSON: the value's name, or its number when unrecognized.
    public func encodeProtoJSON(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let name = protoName {
            try container.encode(name)
        } else {
            try container.encode(rawValue)
        }
    }

    /// Proto3 JSON: a value name, or a number (known or not).
    public init(protoJSONFrom decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let name = try? container.decode(String.self) {
            guard let value = Self(protoName: name) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown enum value name \(name)")
            }
            self = value
        } else {
            self.init(rawValue: try container.decode(Int32.self))
        }
    }
}
