import Testing
@testable import BoxOfficeRPC

@Suite struct CoreMetadataTests {
    @Test func keepsOrderAndRepeatedKeysAndLowercases() {
        var metadata: Metadata = ["X-Request-Id": "1"]
        metadata.addString("2", forKey: "x-request-id")
        metadata.addBinary([0, 1, 2], forKey: "trace-bin")
        #expect(metadata[stringValues: "x-request-id"] == ["1", "2"])
        #expect(metadata[binaryValues: "TRACE-bin"] == [[0, 1, 2]])
        #expect(metadata.map(\.key) == ["x-request-id", "x-request-id", "trace-bin"])
        let removed = metadata.removeAllValues(forKey: "x-request-id")
        #expect(removed)
        #expect(metadata.count == 1)
    }

    @Test func binaryValuesAreSentUnpaddedAndAcceptedEitherWay() throws {
        var metadata = Metadata()
        metadata.addBinary([0xDE, 0xAD, 0xBE, 0xEF], forKey: "blob-bin")
        metadata.addString("plain", forKey: "k")
        let fields = metadata.headerFields()
        #expect(fields.map(\.name) == ["blob-bin", "k"])
        #expect(fields[0].value == "3q2+7w")
        let padded = try Metadata(headerFields: [(name: "blob-bin", value: "3q2+7w==")])
        let unpadded = try Metadata(headerFields: [(name: "blob-bin", value: "3q2+7w")])
        #expect(padded[binaryValues: "blob-bin"] == [[0xDE, 0xAD, 0xBE, 0xEF]])
        #expect(unpadded == padded)
    }

    @Test func commaJoinedBinaryValuesSplit() throws {
        let metadata = try Metadata(headerFields: [(name: "a-bin", value: "AQ, Ag==")])
        #expect(metadata[binaryValues: "a-bin"] == [[1], [2]])
    }

    @Test func invalidBase64IsInternal() {
        #expect(throws: RPCError.self) { try Metadata(headerFields: [(name: "a-bin", value: "!!")]) }
        #expect(throws: RPCError.self) { try Metadata(headerFields: [(name: "a-bin", value: "A")]) }
    }

    @Test func reservedAndPseudoHeadersAreNotMetadata() throws {
        let metadata = try Metadata(headerFields: [
            (name: ":path", value: "/a/b"), (name: "content-type", value: "application/grpc"),
            (name: "te", value: "trailers"), (name: "grpc-timeout", value: "1S"), (name: "user", value: "ann"),
        ])
        #expect(metadata.map(\.key) == ["user"])
    }

    @Test func invalidKeysAndValuesAreNotSent() {
        var metadata = Metadata()
        metadata.addString("ok", forKey: "good.key_1-x")
        metadata.addString("v", forKey: "bad key")
        metadata.addString("line\nbreak", forKey: "k2")
        metadata.addBinary([1], forKey: "not-binary")
        metadata.addString("v", forKey: "content-type")
        #expect(metadata.headerFields().map(\.name) == ["good.key_1-x"])
    }

    @Test(arguments: [0, 1, 2, 3, 4, 5, 31, 256])
    func base64RoundTrips(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let text = Base64.encode(bytes)
        #expect(!text.contains("="))
        #expect(Base64.decode(text) == bytes)
        let padded = text + String(repeating: "=", count: (4 - text.count % 4) % 4)
        #expect(Base64.decode(padded) == bytes)
    }
}
