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
