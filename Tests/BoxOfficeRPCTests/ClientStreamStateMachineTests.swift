@testable import BoxOfficeRPC
import Testing

@Suite("Client stream state machine")
struct ClientStreamStateMachineTests {
    typealias Machine = ClientStreamStateMachine
    typealias Action = ClientStreamStateMachine.Action

    static let okHead = [HTTP2HeaderField(":status", "200"), HTTP2HeaderField("content-type", "application/grpc"),
                         HTTP2HeaderField("x-initial", "1")]
    static func trailers(_ code: Int, _ message: String? = nil, extra: [HTTP2HeaderField] = []) -> [HTTP2HeaderField] {
        [HTTP2HeaderField("grpc-status", String(code))] + (message.map { [HTTP2HeaderField("grpc-message", $0)] } ?? []) + extra
    }

    static func end(_ code: RPCError.Code, _ message: String = "", trailers: Metadata = [:]) -> ClientResponseEnd {
        ClientResponseEnd(status: Status(code: code, message: message), trailers: trailers)
    }

    @Test func unaryResponseDeliversMetadataMessageAndTrailers() {
        var machine = Machine()
        machine.requestEnded()
        #expect(machine.receivedHeaders(Self.okHead, endStream: false) == .deliver([.metadata(["x-initial": "1"])]))
        #expect(machine.receivedData(GRPCMessageFramer.frame([1, 2, 3]), endStream: false) == .deliver([.message([1, 2, 3])]))
        let action = machine.receivedHeaders(Self.trailers(0, extra: [HTTP2HeaderField("x-t", "v")]), endStream: true)
        #expect(action == .finish(deliver: [], end: Self.end(.ok, trailers: ["x-t": "v"]), resetStream: nil))
        #expect(machine.isFinished)
        #expect(machine.streamClosed(errorCode: 0) == .none)
    }

    @Test func messagesSplitAcrossDataFramesAndSeveralPerFrame() {
        var machine = Machine()
        _ = machine.receivedHeaders(Self.okHead, endStream: false)
        let bytes = GRPCMessageFramer.frame([1]) + GRPCMessageFramer.frame([2, 2]) + GRPCMessageFramer.frame([3, 3, 3])
        #expect(machine.receivedData(Array(bytes[0..<3]), endStream: false) == .none)
        #expect(machine.receivedData(Array(bytes[3..<15]), endStream: false) == .deliver([.message([1]), .message([2, 2])]))
        #expect(machine.receivedData(Array(bytes[15...]), endStream: false) == .deliver([.message([3, 3, 3])]))
        #expect(machine.receivedData([], endStream: false) == .none)
    }

    @Test func trailersOnlyCarriesStatusMessageAndMetadata() {
        var machine = Machine()
        machine.requestEnded()
        let fields = Self.okHead + Self.trailers(5, "not %25 found%E2%98%BA")
        #expect(machine.receivedHeaders(fields, endStream: true)
            == .finish(deliver: [], end: Self.end(.notFound, "not % found☺", trailers: ["x-initial": "1"]), resetStream: nil))
    }

    @Test func serverFinishingBeforeTheRequestEndsResetsWithNoError() {
        var machine = Machine()
        let action = machine.receivedHeaders(Self.okHead + Self.trailers(0), endStream: true)
        #expect(action == .finish(deliver: [.metadata([:])], end: Self.end(.ok, trailers: ["x-initial": "1"]),
                                  resetStream: HTTP2ErrorCode.noError.rawValue))
    }

    /// grpcio answers a server stream with no messages with one HEADERS frame (END_STREAM,
    /// grpc-status 0): empty initial metadata, no messages, OK with the trailers' metadata.
    @Test func okTrailersOnlyDeliversEmptyMetadataThenEndsOK() {
        var machine = Machine()
        machine.requestEnded()
        let fields = [HTTP2HeaderField(":status", "200"), HTTP2HeaderField("content-type", "application/grpc"),
                      HTTP2HeaderField("grpc-status", "0"), HTTP2HeaderField("x-trailer", "t")]
        #expect(machine.receivedHeaders(fields, endStream: true)
            == .finish(deliver: [.metadata([:])], end: Self.end(.ok, trailers: ["x-trailer": "t"]), resetStream: nil))
        #expect(machine.isFinished)
        #expect(machine.streamClosed(errorCode: 0) == .none)
    }

    @Test(arguments: [(400, RPCError.Code.internal), (401, .unauthenticated), (403, .permissionDenied),
                      (404, .unimplemented), (429, .unavailable), (502, .unavailable), (503, .unavailable),
                      (504, .unavailable), (500, .unknown), (415, .unknown)])
    func httpStatusesMapToGRPCCodes(httpStatus: Int, code: RPCError.Code) {
        var machine = Machine()
        machine.requestEnded()
        let action = machine.receivedHeaders([HTTP2HeaderField(":status", String(httpStatus))], endStream: true)
        #expect(action == .finish(deliver: [], end: Self.end(code, "HTTP status \(httpStatus)"), resetStream: nil))
    }

    @Test func grpcStatusWinsOverHTTPStatus() {
        var machine = Machine()
        let action = machine.receivedHeaders([HTTP2HeaderField(":status", "503")] + Self.trailers(8, "slow down"),
                                             endStream: false)
        #expect(action == .finish(deliver: [], end: Self.end(.resourceExhausted, "slow down"), resetStream: HTTP2ErrorCode.cancel.rawValue))
    }

    @Test func interimHeadersAreIgnored() {
        var machine = Machine()
        #expect(machine.receivedHeaders([HTTP2HeaderField(":status", "100")], endStream: false) == .none)
        #expect(machine.receivedHeaders(Self.okHead, endStream: false) == .deliver([.metadata(["x-initial": "1"])]))
    }

    @Test func nonGRPCContentTypeIsUnknown() {
        var machine = Machine()
        let action = machine.receivedHeaders([HTTP2HeaderField(":status", "200"), HTTP2HeaderField("content-type", "text/html")],
                                             endStream: false)
        #expect(action == .finish(deliver: [], end: Self.end(.unknown, "response content-type is not gRPC: text/html"),
                                  resetStream: HTTP2ErrorCode.cancel.rawValue))
    }

    @Test func missingStatusInTrailersIsUnknown() {
        var machine = Machine()
        machine.requestEnded()
        _ = machine.receivedHeaders(Self.okHead, endStream: false)
        #expect(machine.receivedHeaders([HTTP2HeaderField("x", "y")], endStream: true)
            == .finish(deliver: [], end: Self.end(.unknown, "response ended without grpc-status", trailers: ["x": "y"]),
                       resetStream: nil))
    }

    @Test func truncatedMessageAtTrailersIsInternal() {
        var machine = Machine()
        machine.requestEnded()
        _ = machine.receivedHeaders(Self.okHead, endStream: false)
        _ = machine.receivedData(Array(GRPCMessageFramer.frame([1, 2, 3]).prefix(6)), endStream: false)
        #expect(machine.receivedHeaders(Self.trailers(0), endStream: true)
            == .finish(deliver: [], end: Self.end(.internal, "response ended inside a message"), resetStream: nil))
    }

    @Test func oversizedMessageIsResourceExhaustedAndResets() {
        var machine = Machine(maxMessageSize: 4)
        _ = machine.receivedHeaders(Self.okHead, endStream: false)
        let action = machine.receivedData(GRPCMessageFramer.frame([1, 2, 3, 4, 5]), endStream: false)
        guard case .finish(let parts, let end, let reset) = action else {
            Issue.record("expected finish, got \(action)")
            return
        }
        #expect(parts.isEmpty)
        #expect(end.status.code == .resourceExhausted)
        #expect(reset == HTTP2ErrorCode.cancel.rawValue)
        #expect(machine.receivedData([0], endStream: false) == .none)
    }

    @Test func compressedMessageWithoutEncodingIsInternal() {
        var machine = Machine()
        _ = machine.receivedHeaders(Self.okHead, endStream: false)
        let action = machine.receivedData([1, 0, 0, 0, 1, 7], endStream: false)
        guard case .finish(_, let end, HTTP2ErrorCode.cancel.rawValue) = action else {
            Issue.record("expected finish with reset, got \(action)")
            return
        }
        #expect(end.status.code == .internal)
    }

    @Test func dataEndingTheStreamWithoutTrailersIsInternal() {
        var machine = Machine()
        _ = machine.receivedHeaders(Self.okHead, endStream: false)
        let action = machine.receivedData(GRPCMessageFramer.frame([9]), endStream: true)
        #expect(action == .finish(deliver: [.message([9])], end: Self.end(.internal, "response ended without trailers"),
                                  resetStream: nil))
    }

    @Test func dataBeforeHeadersIsAProtocolError() {
        var machine = Machine()
        #expect(machine.receivedData([0], endStream: false)
            == .finish(deliver: [], end: Self.end(.internal, "response data before headers"), resetStream: HTTP2ErrorCode.protocolError.rawValue))
    }

    @Test(arguments: [(HTTP2ErrorCode.refusedStream.rawValue, RPCError.Code.unavailable), (HTTP2ErrorCode.cancel.rawValue, .cancelled),
                      (HTTP2ErrorCode.enhanceYourCalm.rawValue, .resourceExhausted), (HTTP2ErrorCode.protocolError.rawValue, .internal),
                      (HTTP2ErrorCode.internalError.rawValue, .internal), (UInt32(0xd), .internal)])
    func resetCodesMapToGRPCCodes(errorCode: UInt32, code: RPCError.Code) {
        var machine = Machine()
        _ = machine.receivedHeaders(Self.okHead, endStream: false)
        guard case .finish(_, let end, nil) = machine.streamClosed(errorCode: errorCode) else {
            Issue.record("expected finish without reset")
            return
        }
        #expect(end.status.code == code)
    }

    @Test func refusalBeforeTheResponseIsRetryableButNotAfter() {
        var refused = Machine()
        guard case .finish(_, let end, nil) = refused.streamClosed(errorCode: HTTP2ErrorCode.refusedStream.rawValue) else {
            Issue.record("expected finish")
            return
        }
        #expect(end.neverProcessed)
        #expect(end.error?.cause is StreamRefusedBeforeProcessing)

        var started = Machine()
        _ = started.receivedHeaders(Self.okHead, endStream: false)
        guard case .finish(_, let late, nil) = started.streamClosed(errorCode: HTTP2ErrorCode.refusedStream.rawValue) else {
            Issue.record("expected finish")
            return
        }
        #expect(!late.neverProcessed)
        #expect(late.error?.code == .unavailable)
    }

    @Test func cleanCloseWithoutStatusIsInternal() {
        var machine = Machine()
        guard case .finish(_, let end, nil) = machine.streamClosed(errorCode: 0) else {
            Issue.record("expected finish")
            return
        }
        #expect(end.status.code == .internal)
    }

    @Test func deadlineAndCancelResetWithCancelOnceOnly() {
        var deadline = Machine()
        #expect(deadline.deadlineExpired()
            == .finish(deliver: [], end: Self.end(.deadlineExceeded, "deadline exceeded"), resetStream: HTTP2ErrorCode.cancel.rawValue))
        #expect(deadline.cancelled() == .none)
        #expect(deadline.streamClosed(errorCode: HTTP2ErrorCode.cancel.rawValue) == .none)

        var cancel = Machine()
        _ = cancel.receivedHeaders(Self.okHead, endStream: false)
        #expect(cancel.cancelled()
            == .finish(deliver: [], end: Self.end(.cancelled, "the call was cancelled"), resetStream: HTTP2ErrorCode.cancel.rawValue))
        #expect(cancel.deadlineExpired() == .none)
        #expect(cancel.receivedHeaders(Self.trailers(0), endStream: true) == .none)
    }

    @Test func badBinaryMetadataInHeadersIsInternal() {
        var machine = Machine()
        let action = machine.receivedHeaders(Self.okHead + [HTTP2HeaderField("x-bin", "!!!")], endStream: false)
        guard case .finish(_, let end, HTTP2ErrorCode.cancel.rawValue) = action else {
            Issue.record("expected finish with reset, got \(action)")
            return
        }
        #expect(end.status.code == .internal)
    }

    @Test func binaryMetadataIsDecoded() {
        var machine = Machine()
        var expected = Metadata()
        expected.addBinary([0, 1, 255], forKey: "x-bin")
        #expect(machine.receivedHeaders([HTTP2HeaderField(":status", "200"), HTTP2HeaderField("content-type", "application/grpc+proto"),
                                         HTTP2HeaderField("x-bin", "AAH/")], endStream: false)
            == .deliver([.metadata(expected)]))
    }
}
