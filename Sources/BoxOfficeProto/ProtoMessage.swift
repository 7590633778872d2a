/// A protobuf message as a Swift value.
///
/// Generated types conform to this protocol; their bytes are produced and parsed by
/// libprotobuf-c, so the wire format is exactly what every other protobuf runtime reads.
/// Values are plain Swift data: no C pointer is ever reachable from one.
public protocol ProtoMessage: Sendable, Hashable, Codable {
    /// The fully-qualified protobuf name, e.g. `boxoffice.inventory.v1.HoldSeatsRequest`.
    static var protoFullName: String { get }

    /// A message with every field at its default value.
    init()

    /// Decodes the protobuf wire format.
    ///
    /// - Throws: ``ProtoDecodingError`` saying what was wrong with the bytes; never crashes on
    ///   hostile input.
    init(serializedBytes bytes: [UInt8]) throws(ProtoDecodingError)

    /// Encodes the message in the protobuf wire format.
    func serializedBytes() -> [UInt8]
}
