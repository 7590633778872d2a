internal import CProtobufC

/// One pass over encoded bytes, guided by the message schema, that rejects everything
/// protobuf-c would crash on, silently accept, or reject without saying why.
///
/// Checks: tags and field numbers, wire types (against the field's type for known fields;
/// groups are refused), varints of at most 10 bytes that fit 64 bits, lengths and fixed-width
/// values inside their message, packed runs, UTF-8 (and no NUL, which protobuf-c's `char *`
/// strings cannot carry) in string fields, nesting depth and total size.
enum ProtoWireValidator {
    static func validate(_ bytes: [UInt8], as schema: ProtoCSchema,
                         options: ProtoDecodingOptions) throws(ProtoDecodingError) {
        guard bytes.count <= options.maxMessageBytes else {
            throw ProtoDecodingError(.messageTooLarge,
                                     "\(schema.fullName): \(bytes.count) bytes exceed the limit of \(options.maxMessageBytes)")
        }
        try bytes.withUnsafeBufferPointer { buffer throws(ProtoDecodingError) in
            let walker = Walker(bytes: buffer, maxDepth: options.maxDepth)
            try walker.message(schema, from: 0, to: buffer.count, depth: 1)
        }
    }

    /// The wire type a field of `type` uses when not packed.
    static func wireType(of type: ProtobufCType) -> UInt64 {
        switch type {
        case PROTOBUF_C_TYPE_SFIXED32, PROTOBUF_C_TYPE_FIXED32, PROTOBUF_C_TYPE_FLOAT: 5
        case PROTOBUF_C_TYPE_SFIXED64, PROTOBUF_C_TYPE_FIXED64, PROTOBUF_C_TYPE_DOUBLE: 1
        case PROTOBUF_C_TYPE_STRING, PROTOBUF_C_TYPE_BYTES, PROTOBUF_C_TYPE_MESSAGE: 2
        default: 0
        }
    }

    private struct Walker {
        let bytes: UnsafeBufferPointer<UInt8>
        let maxDepth: Int

        func message(_ schema: ProtoCSchema, from start: Int, to end: Int, depth: Int) throws(ProtoDecodingError) {
            guard depth <= maxDepth else {
                throw ProtoDecodingError(.nestingTooDeep,
                                         "\(schema.fullName) at offset \(start): nesting deeper than \(maxDepth) levels")
            }
            var position = start
            while position < end {
                let tagOffset = position
                let tag = try varint(&position, end: end) { "\(schema.fullName): tag at offset \(tagOffset)" }
                let number = tag >> 3
                let wireType = tag & 7
                guard number > 0, number <= 536_870_911 else {
                    throw ProtoDecodingError(.invalidFieldNumber,
                                             "\(schema.fullName): field number \(number) at offset \(tagOffset) is out of range")
                }
                let field = schema.field(Int32(number))
                let where_ = { field.map { "\(schema.fullName).\($0.name) (field \(number))" }
                    ?? "\(schema.fullName) unknown field \(number)" }
                switch wireType {
                case 0:
                    let valueOffset = position
                    _ = try varint(&position, end: end) { "\(where_()) at offset \(valueOffset)" }
                case 1, 5:
                    let width = wireType == 1 ? 8 : 4
                    guard end - position >= width else {
                        throw ProtoDecodingError(.truncated,
                                                 "\(where_()) at offset \(position): \(width)-byte value truncated at \(end)")
                    }
                    position += width
                case 2:
                    let lengthOffset = position
                    let length = try varint(&position, end: end) { "\(where_()) length at offset \(lengthOffset)" }
                    guard length <= UInt64(end - position) else {
                        throw ProtoDecodingError(.lengthPastEnd,
                                                 "\(where_()) at offset \(lengthOffset): length \(length) runs past the end of its message at \(end)")
                    }
                    let contentEnd = position + Int(length)
                    if let field {
                        try lengthDelimited(field, in: schema, from: position, to: contentEnd, depth: depth, where_)
                    }
                    position = contentEnd
                default:
                    throw ProtoDecodingError(.invalidWireType,
                                             "\(where_()) at offset \(tagOffset): wire type \(wireType) is not supported"
                                                 + (wireType == 3 || wireType == 4 ? " (groups)" : ""))
                }
                if let field, wireType != 2 {
                    let expected = ProtoWireValidator.wireType(of: field.pointee.type)
                    guard expected == wireType else {
                        throw ProtoDecodingError(.invalidWireType,
                                                 "\(where_()) at offset \(tagOffset): wire type \(wireType), expected \(expected)")
                    }
                }
            }
        }

        private func lengthDelimited(_ field: UnsafePointer<ProtobufCFieldDescriptor>, in schema: ProtoCSchema,
                                     from start: Int, to end: Int, depth: Int,
                                     _ where_: () -> String) throws(ProtoDecodingError) {
            let type = field.pointee.type
            switch type {
            case PROTOBUF_C_TYPE_STRING:
                try utf8(from: start, to: end, where_)
            case PROTOBUF_C_TYPE_BYTES:
                break
            case PROTOBUF_C_TYPE_MESSAGE:
                try message(field.messageSchema, from: start, to: end, depth: depth + 1)
            default:
                guard field.isRepeated else {
                    throw ProtoDecodingError(.invalidWireType,
                                             "\(where_()) at offset \(start): wire type 2 for a non-repeated scalar")
                }
                try packed(type, from: start, to: end, where_)
            }
        }

        private func packed(_ type: ProtobufCType, from start: Int, to end: Int,
                            _ where_: () -> String) throws(ProtoDecodingError) {
            switch ProtoWireValidator.wireType(of: type) {
            case 0:
                var position = start
                while position < end {
                    let elementOffset = position
                    _ = try varint(&position, end: end) { "\(where_()) packed element at offset \(elementOffset)" }
                }
            case let fixed:
                let width = fixed == 1 ? 8 : 4
                guard (end - start) % width == 0 else {
                    throw ProtoDecodingError(.truncated,
                                             "\(where_()) at offset \(start): packed \(width)-byte values truncated (\(end - start) bytes)")
                }
            }
        }

        /// Reads a varint, advancing `position`; at most 10 bytes, fitting in 64 bits.
        private func varint(_ position: inout Int, end: Int, _ context: () -> String) throws(ProtoDecodingError) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            let start = position
            while true {
                guard position < end else {
                    throw ProtoDecodingError(.truncated, "\(context()): varint truncated at \(end)")
                }
                guard position - start < 10 else {
                    throw ProtoDecodingError(.varintTooLong, "\(context()): varint longer than 10 bytes")
                }
                let byte = bytes[position]
                position += 1
                if shift == 63, byte > 1 {
                    throw ProtoDecodingError(.varintTooLong, "\(context()): varint overflows 64 bits")
                }
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
        }

        /// Well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF) without NUL.
        private func utf8(from start: Int, to end: Int, _ where_: () -> String) throws(ProtoDecodingError) {
            var position = start
            func fail(_ reason: String) -> ProtoDecodingError {
                ProtoDecodingError(.invalidUTF8, "\(where_()) at offset \(position): \(reason)")
            }
            while position < end {
                let lead = bytes[position]
                if lead < 0x80 {
                    if lead == 0 { throw fail("NUL in a string (protobuf-c strings cannot hold it)") }
                    position += 1
                    continue
                }
                let count: Int
                var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
                switch lead {
                case 0xC2...0xDF: count = 1
                case 0xE0: count = 2; lower = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: count = 2
                case 0xED: count = 2; upper = 0x9F
                case 0xF0: count = 3; lower = 0x90
                case 0xF1...0xF3: count = 3
                case 0xF4: count = 3; upper = 0x8F
                default: throw fail("invalid UTF-8 lead byte 0x\(String(lead, radix: 16))")
                }
                guard end - position > count else { throw fail("truncated UTF-8 sequence") }
                for index in 1...count {
                    let byte = bytes[position + index]
                    let (low, high) = index == 1 ? (lower, upper) : (UInt8(0x80), UInt8(0xBF))
                    guard byte >= low, byte <= high else { throw fail("invalid UTF-8 continuation byte") }
                }
                position += count + 1
            }
        }
    }
}
