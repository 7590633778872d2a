internal import CProtobufC

/// Fills one protobuf-c message struct from Swift values, for `serializedBytes()`.
///
/// Generated code only: each message's `writeFields(to:)` sets its non-default fields by
/// protobuf field number. Every byte it points at lives in the arena of the encode in progress,
/// so a writer is valid only inside the `serializedBytes()` call that made it (it is
/// `~Copyable` so it cannot be stored by accident).
public struct ProtoStructWriter: ~Copyable {
    let arena: ProtoCArena
    let schema: ProtoCSchema
    let message: UnsafeMutableRawPointer

    init(arena: ProtoCArena, schema: ProtoCSchema) {
        self.arena = arena
        self.schema = schema
        self.message = arena.message(schema)
    }

    private func slot(_ field: UnsafePointer<ProtobufCFieldDescriptor>) -> UnsafeMutableRawPointer {
        message + Int(field.pointee.offset)
    }

    /// Records presence: the oneof case, or the `has_` flag of a proto2 optional scalar.
    private func markPresent(_ field: UnsafePointer<ProtobufCFieldDescriptor>) {
        let quantifier = message + Int(field.pointee.quantifier_offset)
        if field.isOneofMember {
            quantifier.storeBytes(of: field.pointee.id, as: UInt32.self)
        } else if field.pointee.label == PROTOBUF_C_LABEL_OPTIONAL, field.pointee.quantifier_offset != 0 {
            quantifier.storeBytes(of: 1, as: protobuf_c_boolean.self)
        }
    }

    private func store<T: BitwiseCopyable>(_ number: Int32, _ value: T) {
        let field = schema.knownField(number)
        markPresent(field)
        slot(field).storeBytes(of: value, as: T.self)
    }

    /// Sets the count and returns zeroed storage for `count` elements of a repeated field.
    private func repeatedStorage(_ number: Int32, count: Int, stride: Int) -> UnsafeMutableRawPointer {
        let field = schema.knownField(number)
        precondition(field.isRepeated, "\(schema.fullName).\(field.name) is not repeated")
        let elements = arena.allocate(count * stride)
        (message + Int(field.pointee.quantifier_offset)).storeBytes(of: count, as: Int.self)
        slot(field).storeBytes(of: elements, as: UnsafeMutableRawPointer.self)
        return elements
    }

    private func storeRepeated<T: BitwiseCopyable>(_ number: Int32, _ values: [T]) {
        guard !values.isEmpty else { return }
        let elements = repeatedStorage(number, count: values.count, stride: MemoryLayout<T>.stride)
        values.withUnsafeBytes { elements.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// Sets an `int32`, `sint32` or `sfixed32` field.
    public mutating func write(_ number: Int32, _ value: Int32) { store(number, value) }
    /// Sets an `int64`, `sint64` or `sfixed64` field.
    public mutating func write(_ number: Int32, _ value: Int64) { store(number, value) }
    /// Sets a `uint32` or `fixed32` field.
    public mutating func write(_ number: Int32, _ value: UInt32) { store(number, value) }
    /// Sets a `uint64` or `fixed64` field.
    public mutating func write(_ number: Int32, _ value: UInt64) { store(number, value) }
    /// Sets a `float` field.
    public mutating func write(_ number: Int32, _ value: Float) { store(number, value) }
    /// Sets a `double` field.
    public mutating func write(_ number: Int32, _ value: Double) { store(number, value) }
    /// Sets a `bool` field.
    public mutating func write(_ number: Int32, _ value: Bool) { store(number, protobuf_c_boolean(value ? 1 : 0)) }
    /// Sets an enum field to a raw value (known or not).
    public mutating func writeEnum(_ number: Int32, _ rawValue: Int32) { store(number, rawValue) }

    /// Sets a `string` field. protobuf-c strings are NUL-terminated: an embedded NUL truncates.
    public mutating func write(_ number: Int32, _ value: String) {
        store(number, arena.cString(value))
    }

    /// Sets a `bytes` field.
    public mutating func write(_ number: Int32, _ value: [UInt8]) {
        store(number, arena.binary(value))
    }

    /// Sets a message field to a fresh child message filled by `body`.
    public mutating func writeMessage(_ number: Int32, _ body: (inout ProtoStructWriter) -> Void) {
        let field = schema.knownField(number)
        var child = ProtoStructWriter(arena: arena, schema: field.messageSchema)
        body(&child)
        store(number, child.message)
    }

    /// Sets a repeated `int32`-like field.
    public mutating func writeRepeated(_ number: Int32, _ values: [Int32]) { storeRepeated(number, values) }
    /// Sets a repeated `int64`-like field.
    public mutating func writeRepeated(_ number: Int32, _ values: [Int64]) { storeRepeated(number, values) }
    /// Sets a repeated `uint32`-like field.
    public mutating func writeRepeated(_ number: Int32, _ values: [UInt32]) { storeRepeated(number, values) }
    /// Sets a repeated `uint64`-like field.
    public mutating func writeRepeated(_ number: Int32, _ values: [UInt64]) { storeRepeated(number, values) }
    /// Sets a repeated `float` field.
    public mutating func writeRepeated(_ number: Int32, _ values: [Float]) { storeRepeated(number, values) }
    /// Sets a repeated `double` field.
    public mutating func writeRepeated(_ number: Int32, _ values: [Double]) { storeRepeated(number, values) }
    /// Sets a repeated `bool` field.
    public mutating func writeRepeated(_ number: Int32, _ values: [Bool]) {
        storeRepeated(number, values.map { protobuf_c_boolean($0 ? 1 : 0) })
    }

    /// Sets a repeated `string` field.
    public mutating func writeRepeated(_ number: Int32, _ values: [String]) {
        guard !values.isEmpty else { return }
        let stride = MemoryLayout<UnsafeMutablePointer<CChar>>.stride
        let elements = repeatedStorage(number, count: values.count, stride: stride)
        for (index, value) in values.enumerated() {
            (elements + index * stride).storeBytes(of: arena.cString(value), as: UnsafeMutablePointer<CChar>.self)
        }
    }

    /// Sets a repeated `bytes` field.
    public mutating func writeRepeated(_ number: Int32, _ values: [[UInt8]]) {
        guard !values.isEmpty else { return }
        let stride = MemoryLayout<ProtobufCBinaryData>.stride
        let elements = repeatedStorage(number, count: values.count, stride: stride)
        for (index, value) in values.enumerated() {
            (elements + index * stride).storeBytes(of: arena.binary(value), as: ProtobufCBinaryData.self)
        }
    }

    /// Sets a repeated message field (or a map, as its entries) to `count` children, the
    /// child at each index filled by `body`.
    public mutating func writeRepeatedMessages(_ number: Int32, count: Int,
                                               _ body: (Int, inout ProtoStructWriter) -> Void) {
        guard count > 0 else { return }
        let childSchema = schema.knownField(number).messageSchema
        let stride = MemoryLayout<UnsafeMutableRawPointer>.stride
        let elements = repeatedStorage(number, count: count, stride: stride)
        for index in 0..<count {
            var child = ProtoStructWriter(arena: arena, schema: childSchema)
            body(index, &child)
            (elements + index * stride).storeBytes(of: child.message, as: UnsafeMutableRawPointer.self)
        }
    }
}
