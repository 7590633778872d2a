/// A protobuf scalar type as Swift sees it.
struct ScalarKind: Equatable {
    /// `Int64`, `String`, `[UInt8]`, …
    var swiftType: String
    /// The `ProtoStructReader` method reading one value (`int64`, `string`, …).
    var reader: String
    /// The method reading a repeated field (`repeatedInt64`, …).
    var repeatedReader: String
    /// Swift default value literal.
    var defaultValue: String
    /// Protobuf type keyword, for comments.
    var protoName: String

    /// An expression that is true when `value` is not the proto3 default.
    func isSet(_ value: String) -> String {
        switch swiftType {
        case "Bool": value
        case "String", "[UInt8]": "!\(value).isEmpty"
        default: "\(value) != 0"
        }
    }

    /// The scalar for a `FieldDescriptorProto.Type` number, or nil for message/enum/group.
    static func of(type: Int32) -> ScalarKind? {
        func make(_ swift: String, _ reader: String, _ repeated: String, _ value: String, _ proto: String) -> ScalarKind {
            ScalarKind(swiftType: swift, reader: reader, repeatedReader: repeated, defaultValue: value, protoName: proto)
        }
        switch type {
        case 1: return make("Double", "double", "repeatedDouble", "0", "double")
        case 2: return make("Float", "float", "repeatedFloat", "0", "float")
        case 3: return make("Int64", "int64", "repeatedInt64", "0", "int64")
        case 4: return make("UInt64", "uint64", "repeatedUInt64", "0", "uint64")
        case 5: return make("Int32", "int32", "repeatedInt32", "0", "int32")
        case 6: return make("UInt64", "uint64", "repeatedUInt64", "0", "fixed64")
        case 7: return make("UInt32", "uint32", "repeatedUInt32", "0", "fixed32")
        case 8: return make("Bool", "bool", "repeatedBool", "false", "bool")
        case 9: return make("String", "string", "repeatedString", "\"\"", "string")
        case 12: return make("[UInt8]", "bytes", "repeatedBytes", "[]", "bytes")
        case 13: return make("UInt32", "uint32", "repeatedUInt32", "0", "uint32")
        case 15: return make("Int32", "int32", "repeatedInt32", "0", "sfixed32")
        case 16: return make("Int64", "int64", "repeatedInt64", "0", "sfixed64")
        case 17: return make("Int32", "int32", "repeatedInt32", "0", "sint32")
        case 18: return make("Int64", "int64", "repeatedInt64", "0", "sint64")
        default: return nil
        }
    }

    /// `google.protobuf.Int32Value` and friends: their single `value` field's scalar.
    static func wrapped(by typeName: String) -> ScalarKind? {
        switch typeName {
        case ".google.protobuf.DoubleValue": of(type: 1)
        case ".google.protobuf.FloatValue": of(type: 2)
        case ".google.protobuf.Int64Value": of(type: 3)
        case ".google.protobuf.UInt64Value": of(type: 4)
        case ".google.protobuf.Int32Value": of(type: 5)
        case ".google.protobuf.UInt32Value": of(type: 13)
        case ".google.protobuf.BoolValue": of(type: 8)
        case ".google.protobuf.StringValue": of(type: 9)
        case ".google.protobuf.BytesValue": of(type: 12)
        default: nil
        }
    }
}

/// The value part of a field: a scalar, an enum or a message.
enum ValueShape {
    case scalar(ScalarKind)
    case enumeration(TypeIndex.Entry)
    case message(TypeIndex.Entry)

    var swiftType: String {
        switch self {
        case .scalar(let kind): kind.swiftType
        case .enumeration(let entry), .message(let entry): entry.swiftName
        }
    }
}

/// How one field is stored in Swift and moved to and from protobuf-c.
enum FieldShape {
    /// A proto3 singular scalar, enum or message (`T?` for messages).
    case singular(ValueShape)
    /// A singular `google.protobuf.*Value` wrapper as a Swift optional of its scalar.
    case wrapper(ScalarKind)
    /// `repeated T` as `[T]`.
    case repeated(ValueShape)
    /// `map<K, V>` as `[K: V]`.
    case map(key: ScalarKind, value: ValueShape)

    /// The field's shape; `oneofMember` fields never become wrappers.
    static func of(_ field: FieldDescriptorProto, in index: TypeIndex, oneofMember: Bool) -> FieldShape {
        let value: ValueShape
        if let scalar = ScalarKind.of(type: field.type) {
            value = .scalar(scalar)
        } else if field.type == 14 {
            value = .enumeration(index.resolve(field.typeName))
        } else if field.type == 11 {
            let entry = index.resolve(field.typeName)
            if field.isRepeated, case .message(let message) = entry.kind, message.isMapEntry {
                let keyField = message.field.first { $0.number == 1 }!
                let valueField = message.field.first { $0.number == 2 }!
                let key = ScalarKind.of(type: keyField.type)!
                guard case .singular(let valueShape) = FieldShape.of(valueField, in: index, oneofMember: true) else {
                    fatalError("boxoffice-codegen: unsupported map value in \(field.typeName)")
                }
                return .map(key: key, value: valueShape)
            }
            if !field.isRepeated, !oneofMember, let scalar = ScalarKind.wrapped(by: field.typeName) {
                return .wrapper(scalar)
            }
            value = .message(entry)
        } else {
            fatalError("boxoffice-codegen: field \(field.name) has unsupported type \(field.type) (groups?)")
        }
        return field.isRepeated ? .repeated(value) : .singular(value)
    }

    /// The Swift type of the stored property.
    var swiftType: String {
        switch self {
        case .singular(.message(let entry)): entry.swiftName + "?"
        case .singular(let value): value.swiftType
        case .wrapper(let scalar): scalar.swiftType + "?"
        case .repeated(let value): "[\(value.swiftType)]"
        case .map(let key, let value): "[\(key.swiftType): \(value.swiftType)]"
        }
    }

    /// The stored property's initial value.
    var defaultValue: String {
        switch self {
        case .singular(.scalar(let kind)): kind.defaultValue
        case .singular(.enumeration(let entry)): "\(entry.swiftName)()"
        case .singular(.message), .wrapper: "nil"
        case .repeated: "[]"
        case .map: "[:]"
        }
    }
}
