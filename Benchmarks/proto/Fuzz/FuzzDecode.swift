import BoxOfficeAPI
import BoxOfficeProto

/// libFuzzer entry point: decodes the input as every message type in turn (the first byte picks
/// where to start, so each run reaches a different schema first). Decoding must either throw
/// ProtoDecodingError or succeed and re-encode to bytes that decode and re-encode to the same
/// bytes (values are not compared: NaN != NaN); a crash, a leak or an ASan report is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecode(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    let types = BoxOfficeDescriptorSet.messageTypes
    let start = Int(bytes.first ?? 0) % types.count
    for offset in 0..<types.count {
        let type = types[(start + offset) % types.count]
        checkRoundTrip(type, bytes)
    }
    return 0
}

private func checkRoundTrip<Message: ProtoCBackedMessage>(_ type: Message.Type, _ bytes: [UInt8]) {
    guard let decoded = try? Message(serializedBytes: bytes, options: ProtoDecodingOptions(maxDepth: 100, maxMessageBytes: 1 << 20)) else {
        return
    }
    let encoded = decoded.serializedBytes()
    let again = try? Message(serializedBytes: encoded).serializedBytes()
    precondition(again == encoded, "\(Message.protoFullName): encode(decode(encode(x))) != encode(x)")
}
