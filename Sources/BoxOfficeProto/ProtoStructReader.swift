internal import CProtobufC

/// Reads Swift values out of one unpacked protobuf-c message struct, for `init(serializedBytes:)`.
///
/// Generated code only. A reader is valid only inside the decode that made it: the struct is
/// freed with `protobuf_c_message_free_unpacked` as soon as the Swift value is built, and every
/// value read here is copied out first (it is `~Copyable` so it cannot be kept by accident).
public struct ProtoStructReader: ~Copyable {
    let schema: ProtoCSchema
    let message: UnsafeRawPointer

    init(schema: ProtoCSchema, message: UnsafeRawPointer) {
        self.schema = schema
        self.message = message
    }

    private func slot(_ field: UnsafePointer<ProtobufCFieldDescriptor>) -> UnsafeRawPointer {
        message + Int(field.pointee.offset)
    }

    /// Whether a oneof member or proto2 optional field is set; true for every other field.
    private func isPresent(_ field: UnsafePointer<ProtobufCFieldDescriptor>) -> Bool {
        let quantifier = message + Int(field.pointee.quantifier_offset)
        if field.isOneofMember {
            return quantifier.load(as: UInt32.self) == field.pointee.id
        }
        if field.pointee.label == PROTOBUF_C_LABEL_OPTIONAL, field.pointee.quantifier_offset != 0 {
            return quantifier.load(as: protobuf_c_boolean.self) != 0
        }
        return true
    }

    private func load<T: BitwiseCopyable>(_ number: Int32, default value: T) -> T {
        let field = schema.knownField(number)
        return isPresent(field) ? slot(field).loadUnaligned(as: T.self) : value
    }

    private func loadRepeated<T: BitwiseCopyable>(_ number: Int32, as type: T.Type) -> [T] {
        let field = schema.knownField(number)
        let count = (message + Int(field.pointee.quantifier_offset)).load(as: Int.self)
        guard count > 0, let elements = slot(field).load(as: UnsafeRawPointer?.self) else { return [] }
        return Array(UnsafeBufferPointer(start: elements.assumingMemoryBound(to: T.self), count: count))
    }

    private func repeatedElements(_ number: Int32) -> (UnsafeRawPointer, Int)? {
        let field = schema.knownField(number)
        let count = (message + Int(field.pointee.quantifier_offset)).load(as: Int.self)
        guard count > 0, let elements = slot(field).load(as: UnsafeRawPointer?.self) else { return nil }
        return (elements, count)
    }

    /// Whether the field is set: the active oneof member, a present proto2 optional scalar, or a
    /// non-null message or string. Proto3 scalars are always "set".
    public func has(_ number: Int32) -> Bool {
        let field = schema.knownField(number)
        guard isPresent(field) else { return false }
        switch field.pointee.type {
        case PROTOBUF_C_TYPE_MESSAGE, PROTOBUF_C_TYPE_STRING:
            return slot(field).load(as: UnsafeRawPointer?.self) != nil
        default:
            return true
        }
    }

    /// The field number of the set member of the oneof that `memberNumber` belongs to, or 0.
    public func oneofCase(_ memberNumber: Int32) -> Int32 {
        let field = schema.knownField(memberNumber)
        return Int32(bitPattern: (message + Int(field.pointee.quantifier_offset)).load(as: UInt32.self))
    }

    /// An `int32`-like field.
    public func int32(_ number: Int32) -> Int32 { load(number, default: 0) }
    /// An `int64`-like field.
    public func int64(_ number: Int32) -> Int64 { load(number, default: 0) }
    /// A `uint32`-like field.
    public func uint32(_ number: Int32) -> UInt32 { load(number, default: 0) }
    /// A `uint64`-like field.
    public func uint64(_ number: Int32) -> UInt64 { load(number, default: 0) }
    /// A `float` field.
    public func float(_ number: Int32) -> Float { load(number, default: 0) }
    /// A `double` field.
    public func double(_ number: Int32) -> Double { load(number, default: 0) }
    /// A `bool` field.
    public func bool(_ number: Int32) -> Bool { load(number, default: protobuf_c_boolean(0)) != 0 }
    /// An enum field's raw value.
    public func enumValue(_ number: Int32) -> Int32 { load(number, default: 0) }

    /// A `string` field ("" when unset).
    public func string(_ number: Int32) -> String {
        let field = schema.knownField(number)
        guard isPresent(field), let chars = slot(field).load(as: UnsafePointer<CChar>?.self) else { return "" }
        return String(cString: chars)
    }

    /// A `bytes` field (empty when unset).
    public func bytes(_ number: Int32) -> [UInt8] {
        let field = schema.knownField(number)
        guard isPresent(field) else { return [] }
        return Self.copy(slot(field).load(as: ProtobufCBinaryData.self))
    }

    private static func copy(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let bytes = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: bytes, count: data.len))
    }

    /// A message field read by `body`, or nil when unset.
    public func message<T>(_ number: Int32, _ body: (borrowing ProtoStructReader) -> T) -> T? {
        let field = schema.knownField(number)
        guard isPresent(field), let child = slot(field).load(as: UnsafeRawPointer?.self) else { return nil }
        return body(ProtoStructReader(schema: field.messageSchema, message: child))
    }

    /// A repeated `int32`-like field.
    public func repeatedInt32(_ number: Int32) -> [Int32] { loadRepeated(number, as: Int32.self) }
    /// A repeated `int64`-like field.
    public func repeatedInt64(_ number: Int32) -> [Int64] { loadRepeated(number, as: Int64.self) }
    /// A repeated `uint32`-like field.
    public func repeatedUInt32(_ number: Int32) -> [UInt32] { loadRepeated(number, as: UInt32.self) }
    /// A repeated `uint64`-like field.
    public func repeatedUInt64(_ number: Int32) -> [UInt64] { loadRepeated(number, as: UInt64.self) }
    /// A repeated `float` field.
    public func repeatedFloat(_ number: Int32) -> [Float] { loadRepeated(number, as: Float.self) }
    /// A repeated `double` field.
    public func repeatedDouble(_ number: Int32) -> [Double] { loadRepeated(number, as: Double.self) }
    /// A repeated `bool` field.
    public func repeatedBool(_ number: Int32) -> [Bool] { loadRepeated(number, as: protobuf_c_boolean.self).map { $0 != 0 } }
    /// A repeated enum field's raw values.
    public func repeatedEnumValues(_ number: Int32) -> [Int32] { loadRepeated(number, as: Int32.self) }

    /// A repeated `string` field.
    public func repeatedString(_ number: Int32) -> [String] {
        guard let (elements, count) = repeatedElements(number) else { return [] }
        let strings = elements.assumingMemoryBound(to: UnsafePointer<CChar>?.self)
        return (0..<count).map { strings[$0].map { String(cString: $0) } ?? "" }
    }

    /// A repeated `bytes` field.
    public func repeatedBytes(_ number: Int32) -> [[UInt8]] {
        guard let (elements, count) = repeatedElements(number) else { return [] }
        let data = elements.assumingMemoryBound(to: ProtobufCBinaryData.self)
        return (0..<count).map { Self.copy(data[$0]) }
    }

    /// A repeated message field (or a map's entries), each element read by `body`.
    public func repeatedMessages<T>(_ number: Int32, _ body: (borrowing ProtoStructReader) -> T) -> [T] {
        guard let (elements, count) = repeatedElements(number) else { return [] }
        let childSchema = schema.knownField(number).messageSchema
        let children = elements.assumingMemoryBound(to: UnsafeRawPointer.self)
        var result: [T] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            result.append(body(ProtoStructReader(schema: childSchema, message: children[index])))
        }
        return result
    }
}
