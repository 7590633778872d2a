internal import CProtobufC

/// A generated message whose wire format is produced and parsed by libprotobuf-c.
///
/// Generated code implements the three requirements; this extension turns them into
/// ``ProtoMessage/serializedBytes()`` and ``ProtoMessage/init(serializedBytes:)``: encode builds
/// the C struct in an arena and packs it; decode first validates the bytes against the schema
/// (protobuf-c's unpack reports only failure, has no depth limit and accepts bad UTF-8), then
/// unpacks, copies every field out and frees the C struct.
public protocol ProtoCBackedMessage: ProtoMessage, ProtoJSONRepresentable where JSONForm == Self {
    /// The protobuf-c layout of this message type.
    static var protoCSchema: ProtoCSchema { get }
    /// Sets every non-default field on `writer`.
    func writeFields(to writer: inout ProtoStructWriter)
    /// Reads every field from `reader`.
    init(reading reader: borrowing ProtoStructReader)
}

extension ProtoCBackedMessage {
    /// Encodes through `protobuf_c_message_pack`.
    public func serializedBytes() -> [UInt8] {
        let arena = ProtoCArena()
        var writer = ProtoStructWriter(arena: arena, schema: Self.protoCSchema)
        writeFields(to: &writer)
        let message = writer.message.assumingMemoryBound(to: ProtobufCMessage.self)
        let size = protobuf_c_message_get_packed_size(message)
        let bytes = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { buffer, initialized in
            initialized = protobuf_c_message_pack(message, buffer.baseAddress!)
        }
        withExtendedLifetime(arena) {}
        return bytes
    }

    /// Decodes with the default limits (see ``ProtoDecodingOptions/default``).
    public init(serializedBytes bytes: [UInt8]) throws(ProtoDecodingError) {
        try self.init(serializedBytes: bytes, options: .default)
    }

    /// Validates `bytes` against the schema and `options`, then decodes through
    /// `protobuf_c_message_unpack`.
    ///
    /// - Throws: ``ProtoDecodingError`` naming the message, field and byte offset at fault.
    public init(serializedBytes bytes: [UInt8], options: ProtoDecodingOptions) throws(ProtoDecodingError) {
        let schema = Self.protoCSchema
        try ProtoWireValidator.validate(bytes, as: schema, options: options)
        // Unpack into an arena and copy out inside one scope: every block of the C struct is in
        // the arena, so releasing it afterwards is protobuf_c_message_free_unpacked, and no
        // pointer outlives the closure.
        let decoded: Self? = ProtoCArena().withAllocator { allocator in
            let unpacked = bytes.withUnsafeBufferPointer { buffer in
                withUnsafeBytes(of: UInt8(0)) { empty in
                    protobuf_c_message_unpack(schema.descriptor, allocator, buffer.count,
                                              buffer.baseAddress ?? empty.bindMemory(to: UInt8.self).baseAddress!)
                }
            }
            return unpacked.map { Self(reading: ProtoStructReader(schema: schema, message: UnsafeRawPointer($0))) }
        }
        guard let decoded else {
            throw ProtoDecodingError(.malformed, "\(schema.fullName): protobuf-c could not unpack \(bytes.count) bytes")
        }
        self = decoded
    }
}
