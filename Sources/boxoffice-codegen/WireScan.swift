/// Splits trusted protoc output into top-level fields, to carry each FileDescriptorProto's
/// bytes into the reflection registry exactly as protoc wrote them.
enum WireScan {
    /// A top-level field: its number and its whole encoding (tag included).
    struct Field {
        var number: UInt64
        var encoded: ArraySlice<UInt8>
        var payload: ArraySlice<UInt8>
    }

    static func fields(_ bytes: ArraySlice<UInt8>) -> [Field] {
        var fields: [Field] = []
        var position = bytes.startIndex
        func varint() -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let byte = bytes[position]
                position += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
        }
        while position < bytes.endIndex {
            let start = position
            let tag = varint()
            let payloadStart: Int
            switch tag & 7 {
            case 0: _ = varint(); payloadStart = start
            case 1: position += 8; payloadStart = position - 8
            case 5: position += 4; payloadStart = position - 4
            case 2:
                let length = Int(varint())
                payloadStart = position
                position += length
            default: preconditionFailure("unexpected wire type in descriptor set")
            }
            fields.append(Field(number: tag >> 3, encoded: bytes[start..<position], payload: bytes[payloadStart..<position]))
        }
        return fields
    }

    /// Each `file` entry of a FileDescriptorSet without `source_code_info` (field 9): reflection
    /// serves descriptors, not comments.
    static func fileDescriptors(inSet set: [UInt8]) -> [[UInt8]] {
        fields(set[...]).filter { $0.number == 1 }.map { file in
            fields(file.payload).filter { $0.number != 9 }.flatMap { Array($0.encoded) }
        }
    }
}
