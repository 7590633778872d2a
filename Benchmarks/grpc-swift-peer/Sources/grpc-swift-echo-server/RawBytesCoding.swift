import GRPCCore

/// Serializes a raw-bytes message by copying it into the transport's byte type.
///
/// The echo service has no schema: the message is the gRPC payload itself, so the same
/// gRPC-framed body h2load sends to BoxOffice's rpc-echo-server works unchanged here.
struct RawBytesSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
        Bytes(message)
    }
}

/// Deserializes a gRPC payload into raw bytes (a copy; the transport's buffer is not retained).
struct RawBytesDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}
