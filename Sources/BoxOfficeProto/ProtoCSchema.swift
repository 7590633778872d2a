internal import CProtobufC
internal import CBoxOfficeProtos

/// The protobuf-c layout of one message type: where each field lives in its C struct.
///
/// Generated messages name theirs with ``init(named:)``; nothing outside this module sees the
/// C descriptor it wraps.
public struct ProtoCSchema: @unchecked Sendable, Hashable {
    // @unchecked: `descriptor` points at a `static const` descriptor emitted by protoc-c into
    // CBoxOfficeProtos; it is never written and lives for the whole process.
    let descriptor: UnsafePointer<ProtobufCMessageDescriptor>

    init(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
        self.descriptor = descriptor
    }

    /// The layout of the message with the fully-qualified protobuf `name`.
    ///
    /// - Precondition: `name` is a message compiled into CBoxOfficeProtos (generated code only
    ///   asks for names taken from the same descriptor set, so a miss means stale generated code).
    public init(named name: String) {
        guard let schema = Self.registry[name] else {
            preconditionFailure("CBoxOfficeProtos has no message \(name); run Scripts/generate.sh")
        }
        self = schema
    }

    /// Every message type compiled into CBoxOfficeProtos, by fully-qualified name.
    static let registry: [String: ProtoCSchema] = {
        var byName: [String: ProtoCSchema] = [:]
        for index in 0..<cboxoffice_message_descriptor_count() {
            guard let descriptor = cboxoffice_message_descriptor_at(index) else { continue }
            byName[String(cString: descriptor.pointee.name)] = ProtoCSchema(descriptor)
        }
        return byName
    }()

    /// Fully-qualified protobuf name.
    public var fullName: String { String(cString: descriptor.pointee.name) }

    /// The field with protobuf number `number`, if the message has one.
    func field(_ number: Int32) -> UnsafePointer<ProtobufCFieldDescriptor>? {
        guard number > 0 else { return nil }
        // protoc-c lists fields by number; with the usual dense numbering, field n is at n - 1.
        let count = Int(descriptor.pointee.n_fields)
        if Int(number) <= count, let fields = descriptor.pointee.fields, fields[Int(number) - 1].id == UInt32(number) {
            return fields + (Int(number) - 1)
        }
        return protobuf_c_message_descriptor_get_field(descriptor, UInt32(number))
    }

    /// Like ``field(_:)`` for numbers generated code took from the same descriptor set.
    func knownField(_ number: Int32) -> UnsafePointer<ProtobufCFieldDescriptor> {
        guard let field = field(number) else {
            preconditionFailure("\(fullName) has no field \(number) in CBoxOfficeProtos; run Scripts/generate.sh")
        }
        return field
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.descriptor == rhs.descriptor }
    public func hash(into hasher: inout Hasher) { hasher.combine(descriptor) }
}

extension UnsafePointer<ProtobufCFieldDescriptor> {
    /// The schema of a message-typed field.
    var messageSchema: ProtoCSchema {
        ProtoCSchema(pointee.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self))
    }

    var isRepeated: Bool { pointee.label == PROTOBUF_C_LABEL_REPEATED }
    var isOneofMember: Bool { pointee.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 }
    var name: String { String(cString: pointee.name) }
}
