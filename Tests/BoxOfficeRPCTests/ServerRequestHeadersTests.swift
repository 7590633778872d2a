import BoxOfficeProto
import NIOCore
import Testing
@testable import BoxOfficeRPC

/// How a request header block is sorted byte-wise, and the one-step unary answer.
@Suite struct ServerRequestHeadersTests {
    func headers(_ pairs: [(String, String)]) -> HTTP2RequestHeaders {
        HTTP2RequestHeaders(fields: pairs.map { HTTP2HeaderField(name: $0.0, value: $0.1) })
    }

    @Test func wellKnownFieldsAreParsedAndTheRestIsMetadata() {
        let block = headers([(":method", "POST"), (":scheme", "http"), (":path", "/a.B/C"), (":authority", "x"),
                             ("content-type", "application/grpc+proto"), ("te", "trailers"), ("grpc-timeout", "5S"),
                             ("grpc-encoding", "identity"), ("user-agent", "ua"), ("x-id", "7")])
        #expect(block.isPOST)
        #expect(block.path == "/a.B/C")
        #expect(block.contentType == .grpc)
        #expect(block.timeout == "5S")
        #expect(block.encoding == "identity")
        #expect(block.metadataFields == [HTTP2HeaderField(name: "user-agent", value: "ua"), HTTP2HeaderField(name: "x-id", value: "7")])
    }

    @Test(arguments: [("GET", false), ("POST", true), ("post", false), ("POSTX", false)])
    func method(value: String, isPOST: Bool) {
        #expect(headers([(":method", value)]).isPOST == isPOST)
    }

    @Test func contentTypeIsClassifiedLikeGRPCContentType() {
        #expect(headers([]).contentType == .missing)
        #expect(headers([("content-type", "application/grpc")]).contentType == .grpc)
        #expect(headers([("content-type", "Application/GRPC;charset=utf-8")]).contentType == .grpc)
        #expect(headers([("content-type", "application/grpcx")]).contentType == .other("application/grpcx"))
        #expect(headers([("content-type", "text/plain")]).contentType == .other("text/plain"))
    }

    @Test func everyReservedNameIsKeptOutOfMetadata() throws {
        let block = headers(Metadata.reservedHeaderNames.sorted().map { ($0, "1") })
        #expect(block.metadataFields.isEmpty)
        // And the block drops nothing that Metadata itself would keep.
        let kept = try Metadata(headerFields: [(name: "x-a", value: "1"), (name: "upgrade", value: "1")])
        #expect(headers([("x-a", "1"), ("upgrade", "1")]).metadataFields.map(\.name) == kept.map(\.key))
    }

    @Test func knownPathsReuseTheRouterString() {
        let interner = HTTP2PathInterner(knownPaths: ["/a.B/Long.Method.Name.Here", "/a.B/C"])
        let bytes = Array("/a.B/C".utf8)
        let path = bytes.withUnsafeBytes { interner.string(for: $0) }
        #expect(path == "/a.B/C")
        let unknown = Array("/x.Y/Z".utf8).withUnsafeBytes { interner.string(for: $0) }
        #expect(unknown == "/x.Y/Z")
    }

    @Test func unaryResponseInOneStepMatchesThreeSteps() {
        func started() -> ServerConnectionStateMachine {
            var m = ServerConnectionStateMachine(methods: ["/t.S/Unary": .unary], maxReceiveMessageSize: 1024)
            _ = m.receive(.requestHeaders(streamID: 1, fields: [
                HTTP2HeaderField(name: ":method", value: "POST"), HTTP2HeaderField(name: ":path", value: "/t.S/Unary"),
                HTTP2HeaderField(name: "content-type", value: "application/grpc"),
            ], endStream: false))
            _ = m.receive(.data(streamID: 1, bytes: ByteBuffer(bytes: GRPCMessageFramer.frame([1]))))
            _ = m.receive(.endStream(streamID: 1))
            return m
        }
        for (headers, trailers) in [(Metadata(), Metadata()), (["x-h": "1"], ["x-t": "2"])] as [(Metadata, Metadata)] {
            var oneStep = started()
            var threeSteps = started()
            let combined = oneStep.sendUnaryResponse(streamID: 1, headers: headers, message: [4, 2], trailers: trailers)
            let separate = threeSteps.sendResponseHeaders(streamID: 1, metadata: headers)
                + threeSteps.sendResponseMessage(streamID: 1, message: [4, 2])
                + threeSteps.finishResponse(streamID: 1, status: .ok, trailers: trailers)
            #expect(combined == separate)
            #expect(combined.count == 3)
            #expect(oneStep.finishResponse(streamID: 1, status: .ok, trailers: [:]) == [], "the call is over")
        }
    }

    @Test func unaryResponseAfterTheDeadlineIsDropped() {
        var m = ServerConnectionStateMachine(methods: ["/t.S/Unary": .unary], maxReceiveMessageSize: 1024)
        _ = m.receive(.requestHeaders(streamID: 1, fields: [
            HTTP2HeaderField(name: ":method", value: "POST"), HTTP2HeaderField(name: ":path", value: "/t.S/Unary"),
            HTTP2HeaderField(name: "content-type", value: "application/grpc"), HTTP2HeaderField(name: "grpc-timeout", value: "1m"),
        ], endStream: false))
        _ = m.receive(.data(streamID: 1, bytes: ByteBuffer(bytes: GRPCMessageFramer.frame([1]))))
        _ = m.receive(.endStream(streamID: 1))
        _ = m.deadlineExpired(streamID: 1)
        #expect(m.sendUnaryResponse(streamID: 1, headers: [:], message: [1], trailers: [:]) == [])
    }
}
