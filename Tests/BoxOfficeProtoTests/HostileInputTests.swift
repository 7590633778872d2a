import BoxOfficeAPI
import BoxOfficeProto
import Testing

/// Bytes that protobuf-c would crash on, accept silently, or reject without a reason: each gets
/// a typed error naming the message, the field and the offset.
@Suite struct HostileInputTests {
    typealias Request = Grpc_Testing_SimpleRequest
    typealias Streaming = Grpc_Testing_StreamingOutputCallRequest

    private func decodingError<Message: ProtoCBackedMessage>(
        _: Message.Type, _ bytes: [UInt8], options: ProtoDecodingOptions = .default
    ) -> ProtoDecodingError? {
        do {
            _ = try Message(serializedBytes: bytes, options: options)
            return nil
        } catch {
            return error
        }
    }

    @Test func truncatedVarint() throws {
        // response_size (field 2, varint) whose varint never ends.
        let error = try #require(decodingError(Request.self, [0x10, 0x80, 0x80]))
        #expect(error.kind == .truncated)
        #expect(error.message.contains("grpc.testing.SimpleRequest.response_size"))
        #expect(error.message.contains("offset 1"))
    }

    @Test func truncatedTag() throws {
        let error = try #require(decodingError(Request.self, [0x80]))
        #expect(error.kind == .truncated)
    }

    @Test func truncatedFixedWidthValue() throws {
        // TestOrcaReport.cpu_utilization (double, field 1) with 3 of its 8 bytes.
        let error = try #require(decodingError(Grpc_Testing_TestOrcaReport.self, [0x09, 1, 2, 3]))
        #expect(error.kind == .truncated)
        #expect(error.message.contains("cpu_utilization"))
    }

    @Test func wrongWireTypeForAKnownField() throws {
        // response_size (int32) sent as fixed32.
        let error = try #require(decodingError(Request.self, [0x15, 1, 0, 0, 0]))
        #expect(error.kind == .invalidWireType)
        #expect(error.message.contains("response_size"))
        // payload (message) sent as a varint.
        #expect(decodingError(Request.self, [0x18, 0x01])?.kind == .invalidWireType)
        // a singular scalar sent length-delimited.
        #expect(decodingError(Request.self, [0x12, 0x01, 0x01])?.kind == .invalidWireType)
    }

    @Test func groupsAndReservedWireTypesAreRefused() throws {
        #expect(decodingError(Request.self, [0x0B, 0x0C])?.kind == .invalidWireType)  // field 1 start/end group
        #expect(decodingError(Request.self, [0x0E])?.kind == .invalidWireType)  // wire type 6
        #expect(decodingError(Request.self, [0xFF, 0x01])?.kind == .invalidWireType)  // unknown field 31, type 7
    }

    @Test func lengthPastTheEnd() throws {
        // payload (field 3) claims 100 bytes, 2 follow.
        let error = try #require(decodingError(Request.self, [0x1A, 100, 0x08, 0x00]))
        #expect(error.kind == .lengthPastEnd)
        #expect(error.message.contains("payload"))
        // A nested length past its parent's end, though inside the buffer.
        let nested: [UInt8] = [0x1A, 0x02, 0x12, 0x05, 1, 2, 3, 4, 5]
        #expect(decodingError(Request.self, nested)?.kind == .lengthPastEnd)
        // Huge lengths do not wrap around.
        let huge: [UInt8] = [0x1A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        #expect(decodingError(Request.self, huge)?.kind == .lengthPastEnd)
    }

    @Test func varintsOverTenBytes() throws {
        let eleven: [UInt8] = [0x10] + Array(repeating: 0xFF, count: 10) + [0x01]
        let error = try #require(decodingError(Request.self, eleven))
        #expect(error.kind == .varintTooLong)
        let overflowing: [UInt8] = [0x10] + Array(repeating: 0xFF, count: 9) + [0x02]
        #expect(decodingError(Request.self, overflowing)?.kind == .varintTooLong)
        // The largest valid varint (ten bytes, -1 as int32) is fine.
        let minusOne: [UInt8] = [0x10] + Array(repeating: 0xFF, count: 9) + [0x01]
        #expect(try Request(serializedBytes: minusOne).responseSize == -1)
    }

    @Test(arguments: [
        [0xC3, 0x28],  // bad continuation
        [0xE2, 0x82],  // truncated sequence
        [0xC0, 0xAF],  // overlong "/"
        [0xED, 0xA0, 0x80],  // UTF-16 surrogate
        [0xF4, 0x90, 0x80, 0x80],  // past U+10FFFF
        [0xFF],
        [0x61, 0x00, 0x62],  // NUL: protobuf-c's char * strings cannot carry it
    ] as [[UInt8]])
    func invalidUTF8InStrings(_ text: [UInt8]) throws {
        // SimpleResponse.username (field 2, string).
        let error = try #require(decodingError(Grpc_Testing_SimpleResponse.self, [0x12, UInt8(text.count)] + text))
        #expect(error.kind == .invalidUTF8)
        #expect(error.message.contains("grpc.testing.SimpleResponse.username"))
    }

    @Test func validUTF8AndBinaryBytesAreAccepted() throws {
        let text = Array("é ✓ 😈".utf8)
        let response = try Grpc_Testing_SimpleResponse(serializedBytes: [0x12, UInt8(text.count)] + text)
        #expect(response.username == "é ✓ 😈")
        // bytes fields carry anything, NUL and 0xFF included.
        let payload = try Grpc_Testing_Payload(serializedBytes: [0x12, 0x03, 0x00, 0xFF, 0xC3])
        #expect(payload.body == [0x00, 0xFF, 0xC3])
    }

    @Test func nestingDeeperThanTheLimit() throws {
        // StreamingOutputCallRequest → response_parameters → compressed (BoolValue): 3 levels.
        var request = Streaming()
        var parameters = Grpc_Testing_ResponseParameters()
        parameters.compressed = Grpc_Testing_BoolValue()
        request.responseParameters = [parameters]
        let bytes = request.serializedBytes()
        #expect(try Streaming(serializedBytes: bytes, options: .init(maxDepth: 3, maxMessageBytes: 1000)) == request)
        let error = try #require(decodingError(Streaming.self, bytes, options: .init(maxDepth: 2, maxMessageBytes: 1000)))
        #expect(error.kind == .nestingTooDeep)
        #expect(error.message.contains("grpc.testing.BoolValue"))
    }

    @Test func deepUnknownNestingDoesNotRecurse() throws {
        // 10,000 nested length-delimited unknown fields: skipped as opaque bytes, no stack growth.
        var bytes: [UInt8] = []
        for _ in 0..<10_000 { bytes = [0xFA, 0x01] + varint(UInt64(bytes.count)) + bytes }  // field 31, type 2
        #expect(try Request(serializedBytes: bytes, options: .init(maxDepth: 100, maxMessageBytes: 1 << 20)) == Request())
    }

    @Test func messagesOverTheSizeLimit() throws {
        var request = Request()
        request.payload = Grpc_Testing_Payload()
        request.payload?.body = Array(repeating: 7, count: 2000)
        let bytes = request.serializedBytes()
        let error = try #require(decodingError(Request.self, bytes, options: .init(maxDepth: 100, maxMessageBytes: 1000)))
        #expect(error.kind == .messageTooLarge)
        #expect(error.message.contains("\(bytes.count) bytes"))
        #expect(try Request(serializedBytes: bytes) == request)
    }

    @Test func fieldNumberZeroIsRefused() throws {
        let error = try #require(decodingError(Request.self, [0x00, 0x01]))
        #expect(error.kind == .invalidFieldNumber)
    }

    @Test func unknownFieldsAreSkipped() throws {
        // Unknown field 100 (varint), 101 (fixed64), 102 (bytes), then response_size = 5.
        let bytes: [UInt8] = [0xA0, 0x06, 0x01, 0xA9, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0xB2, 0x06, 0x01, 0xAA, 0x10, 0x05]
        #expect(try Request(serializedBytes: bytes).responseSize == 5)
    }

    @Test func packedRunsAreChecked() throws {
        // ReconnectInfo.backoff_ms (packed int32): a varint cut off inside the run.
        #expect(decodingError(Grpc_Testing_ReconnectInfo.self, [0x12, 0x02, 0x05, 0x80])?.kind == .truncated)
        // TestOrcaReport.request_cost is a map; its double values must be 8 bytes.
        let entry: [UInt8] = [0x0A, 0x01, 0x61, 0x11, 1, 2, 3]
        #expect(decodingError(Grpc_Testing_TestOrcaReport.self, [0x1A, UInt8(entry.count)] + entry)?.kind == .truncated)
    }

    private func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            bytes.append(UInt8(value & 0x7F) | (value >= 0x80 ? 0x80 : 0))
            value >>= 7
        } while value > 0
        return bytes
    }
}
