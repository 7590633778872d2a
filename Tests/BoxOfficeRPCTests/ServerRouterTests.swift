import BoxOfficeProto
import Logging
import Testing
@testable import BoxOfficeRPC

/// A stand-in protobuf message: one length-delimited string field 1 (`0x0A len bytes`).
struct SeatName: ProtoMessage {
    static let protoFullName = "test.SeatName"
    var name = ""
    init() {}
    init(name: String) { self.name = name }
    init(serializedBytes bytes: [UInt8]) throws(ProtoDecodingError) {
        guard bytes.isEmpty || (bytes.count >= 2 && bytes[0] == 0x0A && Int(bytes[1]) == bytes.count - 2) else {
            throw ProtoDecodingError(.malformed, "not a SeatName")
        }
        name = String(decoding: bytes.dropFirst(2), as: UTF8.self)
    }
    func serializedBytes() -> [UInt8] { name.isEmpty ? [] : [0x0A, UInt8(name.utf8.count)] + Array(name.utf8) }
}

/// Typed registration over ``ProtoMessage`` types, run without sockets.
@Suite struct ServerRouterTests {
    static let rename = MethodDescriptor(service: "test.Seats", method: "Rename", kind: .unary,
                                         inputType: "test.SeatName", outputType: "test.SeatName")

    func run(_ router: RPCRouter, path: String, route: Int? = nil, request: [UInt8]) async -> [String] {
        let outbound = ServerRecordingOutbound()
        let context = ServerContext(path: path, metadata: [:], deadline: nil, remotePeer: "test",
                                    logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }, cancellation: CallCancellation())
        await ServerCallRunner(router: router, interceptors: []).run(ServerCall(context: context, route: route, requests: .single(request), outbound: outbound))
        return outbound.events.withLock { $0 }
    }

    @Test func typedUnaryDecodesAndEncodes() async {
        var router = RPCRouter()
        router.registerSimpleUnary(Self.rename) { (seat: SeatName, _) -> SeatName in SeatName(name: seat.name + "!") }
        #expect(router.paths == ["/test.Seats/Rename"])
        let events = await run(router, path: Self.rename.path, request: SeatName(name: "A1").serializedBytes())
        #expect(events == ["unary \(SeatName(name: "A1!").serializedBytes())"])
    }

    @Test func undecodableRequestIsInternal() async {
        var router = RPCRouter()
        router.registerSimpleUnary(Self.rename) { (seat: SeatName, _) -> SeatName in seat }
        #expect(await run(router, path: Self.rename.path, request: [0xFF, 0x00, 0x01]) == ["finish internal"])
    }

    @Test func aCallsRouteIndexesTheSortedPathsAndAnUnknownRouteFallsBackToThePath() async {
        var router = RPCRouter()
        for name in ["b", "a", "c"] { router.registerUnary(path: "/t.S/" + name) { _, _ in ServerResponse(message: Array(name.utf8)) } }
        #expect(router.paths == ["/t.S/a", "/t.S/b", "/t.S/c"])
        #expect(await run(router, path: "/t.S/c", route: 2, request: []) == ["unary \(Array("c".utf8))"])
        #expect(await run(router, path: "/t.S/c", route: 3, request: []) == ["unary \(Array("c".utf8))"])
        #expect(await run(router, path: "/t.S/b", request: []) == ["unary \(Array("b".utf8))"])
        #expect(await run(router, path: "/t.S/zz", request: []) == ["finish unimplemented"])
    }
}
