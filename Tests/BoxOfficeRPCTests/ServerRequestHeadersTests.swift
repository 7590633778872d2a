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
        #expect(block.metadata == ["user-agent": "ua", "x-id": "7"])
        #expect(block.invalidBinaryMetadataKey == nil)
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
        #expect(block.metadata.isEmpty)
        // And the block drops nothing that Metadata itself would keep.
        let kept = try Metadata(headerFields: [(name: "x-a", value: "1"), (name: "upgrade", value: "1")])
        #expect(headers([("x-a", "1"), ("upgrade", "1")]).metadata == kept)
    }

    @Test func binaryMetadataIsDecodedAndAnInvalidValueIsFlagged() {
        let block = headers([("trace-bin", "AQI, /w"), ("x-a", "1"), ("bad-bin", "not base64!"), ("worse-bin", "%%"), ("x-b", "2")])
        var expected = Metadata()
        expected.addBinary([1, 2], forKey: "trace-bin")
        expected.addBinary([0xFF], forKey: "trace-bin")
        expected.addString("1", forKey: "x-a")
        expected.addString("2", forKey: "x-b")
        #expect(block.metadata == expected, "the invalid values are left out, the rest kept in order")
        #expect(block.invalidBinaryMetadataKey == "bad-bin", "the first invalid key is the one reported")
        // A name merely containing "-bin" is a string field.
        #expect(headers([("x-bin-count", "3")]).metadata == ["x-bin-count": "3"])
    }

    @Test func knownPathsReuseTheRouterStringAndGiveTheirRoute() {
        let interner = HTTP2PathInterner(knownPaths: ["/a.B/Long.Method.Name.Here", "/a.B/C", "/a.B/D"])
        let known = Array("/a.B/D".utf8).withUnsafeBytes { interner.resolve($0) }
        #expect(known.path == "/a.B/D" && known.route == 2)
        let unknown = Array("/x.Y/Z".utf8).withUnsafeBytes { interner.resolve($0) }
        #expect(unknown.path == "/x.Y/Z" && unknown.route == nil)
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        #expect(interner.resolve(empty) == ("", nil))
    }

    @Test func theStateMachineFindsTheKindByRouteAndFallsBackToThePath() {
        // Sorted paths: route 0 is /t.S/Bidi, route 1 is /t.S/Unary.
        var m = ServerConnectionStateMachine(methods: ["/t.S/Unary": .unary, "/t.S/Bidi": .bidirectionalStreaming],
                                             maxReceiveMessageSize: 1024)
        func block(route: Int?) -> HTTP2RequestHeaders {
            var block = headers([(":method", "POST"), (":path", "/t.S/Bidi"), ("content-type", "application/grpc")])
            block.route = route
            return block
        }
        for (streamID, route, expected) in [(Int32(1), Int?.some(0), Int?.some(0)), (3, nil, nil), (5, 9, nil)] {
            let actions = m.receive(.requestHeaders(streamID: streamID, headers: block(route: route), endStream: false))
            guard case .startRPC(streamID, let head, .streamed)? = actions.first else {
                Issue.record("stream \(streamID): \(actions)")
                continue
            }
            #expect(head.kind == .bidirectionalStreaming)
            #expect(head.route == expected, "an out-of-range route is ignored, and the path decides")
        }
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
