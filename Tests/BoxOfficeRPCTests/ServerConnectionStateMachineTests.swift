import BoxOfficeProto
import NIOCore
import Testing
@testable import BoxOfficeRPC

/// The server connection logic without I/O: events in, actions out.
@Suite struct ServerConnectionStateMachineTests {
    typealias Machine = ServerConnectionStateMachine
    static let methods: [String: RPCKind] = [
        "/t.S/Unary": .unary, "/t.S/Server": .serverStreaming,
        "/t.S/Client": .clientStreaming, "/t.S/Bidi": .bidirectionalStreaming,
    ]

    func machine(maxMessage: Int = 1024) -> Machine { Machine(methods: Self.methods, maxReceiveMessageSize: maxMessage) }

    func head(_ path: String, method: String = "POST", contentType: String? = "application/grpc",
              extra: [(String, String)] = []) -> [HTTP2HeaderField] {
        var fields = [HTTP2HeaderField(name: ":method", value: method), HTTP2HeaderField(name: ":scheme", value: "http"),
                      HTTP2HeaderField(name: ":path", value: path), HTTP2HeaderField(name: "te", value: "trailers")]
        if let contentType { fields.append(HTTP2HeaderField(name: "content-type", value: contentType)) }
        for (name, value) in extra { fields.append(HTTP2HeaderField(name: name, value: value)) }
        return fields
    }

    func data(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    func framed(_ bytes: [UInt8]) -> ByteBuffer { data(GRPCMessageFramer.frame(bytes)) }

    /// The header fields of the single headers-only response in `actions`.
    func headersOnly(_ actions: [Machine.Action]) -> [String: String]? {
        for case .submitHeadersOnlyResponse(_, let headers) in actions {
            return Dictionary(headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        }
        return nil
    }

    func trailers(_ actions: [Machine.Action]) -> [String: String]? {
        for case .finishResponse(_, let trailers) in actions {
            return Dictionary(trailers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        }
        return nil
    }

    @Test func unaryHappyPath() {
        var m = machine()
        #expect(m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Unary", extra: [("x-user", "ann")]), endStream: false)) == [])
        #expect(m.receive(.data(streamID: 1, bytes: framed([1, 2, 3]))) == [.consume(streamID: 1, count: 8)])
        let start = m.receive(.endStream(streamID: 1))
        guard case .startRPC(1, let requestHead, .single([1, 2, 3])) = start.first, start.count == 1 else {
            Issue.record("expected startRPC, got \(start)"); return
        }
        #expect(requestHead.metadata[stringValues: "x-user"] == ["ann"])
        #expect(requestHead.kind == .unary)

        let headers = m.sendResponseHeaders(streamID: 1, metadata: ["x-out": "1"])
        #expect(headers == [.submitResponseHeaders(streamID: 1, headers: [
            HTTP2HeaderField(name: ":status", value: "200"), HTTP2HeaderField(name: "content-type", value: "application/grpc"),
            HTTP2HeaderField(name: "x-out", value: "1")])])
        #expect(m.sendResponseHeaders(streamID: 1, metadata: [:]) == [], "headers are sent once")
        #expect(m.sendResponseMessage(streamID: 1, message: [9]) == [.enqueueResponseMessage(streamID: 1, message: [9])])
        let finish = m.finishResponse(streamID: 1, status: .ok, trailers: ["x-t": "2"])
        #expect(trailers(finish) == ["grpc-status": "0", "x-t": "2"])
        #expect(m.receive(.responseEndSent(streamID: 1)) == [], "client already half-closed: no RST")
        #expect(m.receive(.streamClosed(streamID: 1, errorCode: 0)) == [.forgetStream(streamID: 1)])
        #expect(m.activeStreamCount == 0)
    }

    @Test func messageSplitAcrossFramesAndHeadersWithEndStream() {
        var m = machine()
        _ = m.receive(.requestHeaders(streamID: 3, fields: head("/t.S/Server"), endStream: false))
        let bytes = GRPCMessageFramer.frame([7, 7, 7, 7])
        #expect(m.receive(.data(streamID: 3, bytes: data(Array(bytes[0..<2])))) == [.consume(streamID: 3, count: 2)])
        #expect(m.receive(.data(streamID: 3, bytes: data(Array(bytes[2...])))) == [.consume(streamID: 3, count: 7)])
        let start = m.receive(.requestTrailers(streamID: 3))
        #expect(start.count == 1)
        if case .startRPC(3, _, .single([7, 7, 7, 7])) = start.first {} else { Issue.record("\(start)") }
    }

    @Test func unknownMethodIsUnimplementedTrailersOnly() {
        var m = machine()
        let actions = m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Nope"), endStream: true))
        let fields = headersOnly(actions)
        #expect(fields?[":status"] == "200")
        #expect(fields?["grpc-status"] == "12")
        #expect(fields?["content-type"] == "application/grpc")
    }

    @Test(arguments: [nil, "application/json", "text/plain"])
    func nonGRPCContentTypeIs415(contentType: String?) {
        var m = machine()
        let fields = headersOnly(m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Unary", contentType: contentType), endStream: true)))
        #expect(fields?[":status"] == "415")
    }

    @Test func getIs405() {
        var m = machine()
        #expect(headersOnly(m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Unary", method: "GET"), endStream: true)))?[":status"] == "405")
    }

    @Test(arguments: ["", "1", "123456789S", "1x", "-5m"])
    func badTimeoutIsInternal(value: String) {
        var m = machine()
        let fields = headersOnly(m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Unary", extra: [("grpc-timeout", value)]), endStream: false)))
        #expect(fields?["grpc-status"] == "13")
    }

    @Test func invalidBinaryMetadataIsInternalAndStartsNoCall() {
        var m = machine()
        let actions = m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Unary", extra: [("trace-bin", "@@")]), endStream: false))
        let fields = headersOnly(actions)
        #expect(fields?["grpc-status"] == "13")
        #expect(fields?["grpc-message"] == "invalid base64 in metadata 'trace-bin'")
        #expect(!actions.contains { if case .startRPC = $0 { true } else { false } })
    }

    @Test func timeoutSchedulesDeadlineAndExpiryEndsTheCall() {
        var m = machine()
        let actions = m.receive(.requestHeaders(streamID: 5, fields: head("/t.S/Bidi", extra: [("grpc-timeout", "250m")]), endStream: false))
        #expect(actions.first == .scheduleDeadline(streamID: 5, after: .milliseconds(250)))
        if case .startRPC(5, let requestHead, .streamed) = actions.dropFirst().first {
            #expect(requestHead.timeout == .milliseconds(250))
        } else { Issue.record("\(actions)") }
        let expired = m.deadlineExpired(streamID: 5)
        #expect(expired.first == .cancelHandler(streamID: 5))
        #expect(headersOnly(expired)?["grpc-status"] == "4")
        #expect(m.finishResponse(streamID: 5, status: .ok, trailers: [:]) == [], "the handler's late answer is dropped")
        #expect(m.receive(.responseEndSent(streamID: 5)) == [.resetStream(streamID: 5, code: .noError)])
    }

    @Test func deadlineAfterHeadersUsesTrailers() {
        var m = machine()
        _ = m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Bidi"), endStream: false))
        _ = m.sendResponseHeaders(streamID: 1, metadata: [:])
        let expired = m.deadlineExpired(streamID: 1)
        #expect(trailers(expired)?["grpc-status"] == "4")
    }

    @Test func oversizedMessageIsResourceExhaustedAndTheRestIsDrained() {
        var m = machine(maxMessage: 10)
        _ = m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Unary"), endStream: false))
        let actions = m.receive(.data(streamID: 1, bytes: data([0, 0xFF, 0xFF, 0xFF, 0xFF])))
        #expect(actions.first == .consume(streamID: 1, count: 5))
        #expect(headersOnly(actions)?["grpc-status"] == "8")
        #expect(m.receive(.data(streamID: 1, bytes: data([1, 2, 3]))) == [.consume(streamID: 1, count: 3)])
        #expect(m.receive(.responseEndSent(streamID: 1)) == [.resetStream(streamID: 1, code: .noError)])
    }

    @Test func compressedFlagIsInternal() {
        var m = machine()
        _ = m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Unary"), endStream: false))
        #expect(headersOnly(m.receive(.data(streamID: 1, bytes: data([1, 0, 0, 0, 1, 0]))))?["grpc-status"] == "13")
    }

    @Test func unsupportedEncodingIsUnimplementedWithAcceptEncoding() {
        var m = machine()
        let fields = headersOnly(m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Unary", extra: [("grpc-encoding", "gzip")]), endStream: false)))
        #expect(fields?["grpc-status"] == "12")
        #expect(fields?["grpc-accept-encoding"] == "identity")
    }

    @Test func invalidBinaryMetadataIsInternal() {
        var m = machine()
        let fields = headersOnly(m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Unary", extra: [("a-bin", "!!!")]), endStream: false)))
        #expect(fields?["grpc-status"] == "13")
    }

    @Test func unaryNeedsExactlyOneMessage() {
        var none = machine()
        #expect(headersOnly(none.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Unary"), endStream: true)))?["grpc-status"] == "13")

        var two = machine()
        _ = two.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Unary"), endStream: false))
        let bytes = GRPCMessageFramer.frame([1]) + GRPCMessageFramer.frame([2])
        #expect(headersOnly(two.receive(.data(streamID: 1, bytes: data(bytes))))?["grpc-status"] == "13")

        var truncated = machine()
        _ = truncated.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Unary"), endStream: false))
        _ = truncated.receive(.data(streamID: 1, bytes: data([0, 0, 0, 0, 9, 1])))
        #expect(headersOnly(truncated.receive(.endStream(streamID: 1)))?["grpc-status"] == "13")
    }

    @Test func streamingCreditIsReturnedWhenTheHandlerTakesMessages() {
        var m = machine()
        let start = m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Client"), endStream: false))
        if case .startRPC(1, _, .streamed) = start.first {} else { Issue.record("\(start)") }
        // Two whole messages (6 + 7 bytes) and 2 bytes of a third in one chunk.
        let chunk = GRPCMessageFramer.frame([1]) + GRPCMessageFramer.frame([2, 2]) + [0, 0]
        let actions = m.receive(.data(streamID: 1, bytes: data(chunk)))
        #expect(actions == [
            .consume(streamID: 1, count: 2),
            .deliverRequestMessage(streamID: 1, message: [1], credit: 0),
            .deliverRequestMessage(streamID: 1, message: [2, 2], credit: 13),
        ])
        #expect(m.requestMessageConsumed(streamID: 1, credit: 13) == [.consume(streamID: 1, count: 13)])
        #expect(m.requestMessageConsumed(streamID: 1, credit: 13) == [], "credit is returned once")
        #expect(m.receive(.data(streamID: 1, bytes: data([0, 0, 1, 5]))).last == .deliverRequestMessage(streamID: 1, message: [5], credit: 4))
        #expect(m.receive(.endStream(streamID: 1)) == [.finishRequestMessages(streamID: 1)])
    }

    @Test func clientResetCancelsTheHandlerAndReturnsOwedCredit() {
        var m = machine()
        _ = m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Bidi"), endStream: false))
        _ = m.receive(.data(streamID: 1, bytes: framed([1, 2])))
        #expect(m.receive(.streamClosed(streamID: 1, errorCode: HTTP2ErrorCode.cancel.rawValue)) == [
            .cancelHandler(streamID: 1), .consume(streamID: 1, count: 7), .forgetStream(streamID: 1),
        ])
        #expect(m.sendResponseMessage(streamID: 1, message: [1]) == [], "output after the stream is gone is dropped")
    }

    @Test func handlerErrorAfterHeadersGoesInTrailersPercentEncoded() {
        var m = machine()
        _ = m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Bidi"), endStream: false))
        _ = m.sendResponseMessage(streamID: 1, message: [1])
        var metadata = Metadata()
        metadata.addBinary([0xFF], forKey: "detail-bin")
        let finish = m.finishResponse(streamID: 1, status: Status(code: .notFound, message: "no 100% ☺"), trailers: metadata)
        #expect(trailers(finish) == ["grpc-status": "5", "grpc-message": "no 100%25 %E2%98%BA", "detail-bin": "/w"])
    }

    @Test func errorBeforeAnyOutputIsTrailersOnly() {
        var m = machine()
        _ = m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Client"), endStream: true))
        let finish = m.finishResponse(streamID: 1, status: Status(code: .unavailable, message: "later"), trailers: [:])
        #expect(headersOnly(finish) == [":status": "200", "content-type": "application/grpc", "grpc-status": "14", "grpc-message": "later"])
    }

    @Test func headerLimitResetsTheStream() {
        var m = machine()
        #expect(m.receive(.headerLimitExceeded(streamID: 9)) == [.resetStream(streamID: 9, code: .enhanceYourCalm)])
    }

    @Test func outboundDrainWakesWriters() {
        var m = machine()
        #expect(m.receive(.outboundDrained(streamID: 3)) == [.resumeWriters(streamID: 3)])
    }

    @Test func gracefulShutdownDrainsThenCloses() {
        var m = machine()
        _ = m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Bidi"), endStream: false))
        #expect(m.beginGracefulShutdown() == [.sendShutdownNotice, .sendGoaway(code: .noError)])
        #expect(m.isDraining)
        #expect(m.beginGracefulShutdown() == [])
        #expect(headersOnly(m.receive(.requestHeaders(streamID: 3, fields: head("/t.S/Unary"), endStream: true)))?["grpc-status"] == "14")
        _ = m.receive(.streamClosed(streamID: 3, errorCode: 0))
        _ = m.finishResponse(streamID: 1, status: .ok, trailers: [:])
        #expect(m.receive(.streamClosed(streamID: 1, errorCode: 0)) == [.forgetStream(streamID: 1), .closeConnection])
    }

    @Test func gracefulShutdownWithoutStreamsClosesAtOnce() {
        var m = machine()
        #expect(m.beginGracefulShutdown() == [.sendShutdownNotice, .sendGoaway(code: .noError), .closeConnection])
    }

    @Test func drainDeadlineCancelsWhatIsLeft() {
        var m = machine()
        _ = m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Bidi"), endStream: false))
        _ = m.receive(.requestHeaders(streamID: 3, fields: head("/t.S/Unary"), endStream: false))
        _ = m.beginGracefulShutdown()
        #expect(m.drainDeadlineReached() == [
            .sendGoaway(code: .noError), .cancelHandler(streamID: 1), .resetStream(streamID: 1, code: .cancel),
            .resetStream(streamID: 3, code: .cancel), .closeConnection,
        ])
        #expect(m.drainDeadlineReached() == [])
    }

    @Test func idleTimeoutOnlyClosesAnIdleConnection() {
        var m = machine()
        _ = m.receive(.requestHeaders(streamID: 1, fields: head("/t.S/Bidi"), endStream: false))
        #expect(m.idleTimeoutFired() == [])
        _ = m.receive(.streamClosed(streamID: 1, errorCode: 8))
        #expect(m.idleTimeoutFired() == [.sendGoaway(code: .noError), .closeConnection])
    }

    @Test func dataForUnknownStreamsOnlyReturnsConnectionCredit() {
        var m = machine()
        #expect(m.receive(.data(streamID: 41, bytes: data([1, 2, 3]))) == [.consume(streamID: 41, count: 3)])
        #expect(m.receive(.endStream(streamID: 41)) == [])
        #expect(m.receive(.streamClosed(streamID: 41, errorCode: 0)) == [])
    }
}
