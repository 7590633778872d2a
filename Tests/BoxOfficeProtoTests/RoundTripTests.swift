import BoxOfficeAPI
import BoxOfficeProto
import BoxOfficeProtoSamples
import Foundation
import Testing

/// Every message type, through protobuf-c and back, and through the JSON mapping and back.
@Suite struct RoundTripTests {
    static let types = ProtoSamples.types.map(SampledType.init)

    @Test func everyGeneratedMessageTypeHasSamples() {
        #expect(ProtoSamples.types.count == BoxOfficeDescriptorSet.messageTypes.count)
        #expect(ProtoSamples.types.count > 40)
    }

    @Test(arguments: types)
    func binaryRoundTripOfEverySample(_ type: SampledType) throws {
        try type.checkBinary()
    }

    @Test(arguments: types)
    func jsonRoundTripOfEverySample(_ type: SampledType) throws {
        try type.checkJSON()
    }

    @Test(arguments: types)
    func defaultsEncodeToNothing(_ type: SampledType) throws {
        try type.checkDefaults()
    }

    @Test func unknownEnumValuesSurvive() throws {
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = .unrecognized(42)
        let decoded = try Grpc_Health_V1_HealthCheckResponse(serializedBytes: response.serializedBytes())
        #expect(decoded.status == .unrecognized(42))
        #expect(decoded.status.rawValue == 42)
        #expect(Grpc_Health_V1_HealthCheckResponse.ServingStatus(rawValue: 3) == .serviceUnknown)
        // A value written by a newer peer: field 1, varint 7.
        let fromNewerPeer = try Grpc_Health_V1_HealthCheckResponse(serializedBytes: [0x08, 0x07])
        #expect(fromNewerPeer.status == .unrecognized(7))
        #expect(fromNewerPeer.serializedBytes() == [0x08, 0x07])
    }

    @Test func everyOneofCaseRoundTrips() throws {
        let cases: [Grpc_Reflection_V1_ServerReflectionRequest.MessageRequest] = [
            .fileByFilename("grpc/health/v1/health.proto"),
            .fileContainingSymbol("grpc.health.v1.Health"),
            .fileContainingExtension({ var e = Grpc_Reflection_V1_ExtensionRequest(); e.extensionNumber = 5; return e }()),
            .allExtensionNumbersOfType("grpc.testing.SimpleRequest"),
            .listServices(""),  // an empty string is still a set member: presence is the case tag
        ]
        for value in cases {
            var request = Grpc_Reflection_V1_ServerReflectionRequest()
            request.host = "localhost"
            request.messageRequest = value
            let decoded = try Grpc_Reflection_V1_ServerReflectionRequest(serializedBytes: request.serializedBytes())
            #expect(decoded.messageRequest == value)
        }
        #expect(try Grpc_Reflection_V1_ServerReflectionRequest(serializedBytes: []).messageRequest == nil)
    }

    @Test func oneofMemberAccessorsReadDefaultsAndSelectOnWrite() {
        var request = Boxoffice_Inventory_V1_HoldSeatsRequest()
        #expect(request.specificSeats == Boxoffice_Inventory_V1_SpecificSeats())
        request.specificSeats.seatIds = [7, 8]
        #expect(request.selection == .specificSeats({ var s = Boxoffice_Inventory_V1_SpecificSeats(); s.seatIds = [7, 8]; return s }()))
        request.bestAvailable.quantity = 2
        #expect(request.specificSeats.seatIds.isEmpty)
        guard case .bestAvailable(let best)? = request.selection else {
            Issue.record("setting a member did not select it")
            return
        }
        #expect(best.quantity == 2)
        var reflection = Grpc_Reflection_V1_ServerReflectionRequest()
        #expect(reflection.fileByFilename == "")
        reflection.listServices = "*"
        #expect(reflection.messageRequest == .listServices("*"))
    }

    @Test func mapsKeepEveryEntryAndEncodeDeterministically() throws {
        var report = Grpc_Testing_TestOrcaReport()
        report.requestCost = ["db": 1.5, "cpu": 0.25, "": 0, "ünïcode": -3]
        report.utilization = [:]
        let bytes = report.serializedBytes()
        #expect(try Grpc_Testing_TestOrcaReport(serializedBytes: bytes) == report)
        var again = Grpc_Testing_TestOrcaReport()
        for (key, value) in report.requestCost.reversed() { again.requestCost[key] = value }
        #expect(again.serializedBytes() == bytes)
    }

    @Test func emptyRepeatedFieldsAreAbsentOnTheWire() throws {
        var info = Grpc_Testing_ReconnectInfo()
        info.backoffMs = []
        #expect(info.serializedBytes().isEmpty)
        info.backoffMs = [0, 1, -1]
        let decoded = try Grpc_Testing_ReconnectInfo(serializedBytes: info.serializedBytes())
        #expect(decoded.backoffMs == [0, 1, -1])
    }

    @Test func unpackedRepeatedScalarsAreAccepted() throws {
        // backoff_ms = 2 written unpacked (two varint records), as proto2 writers do.
        let decoded = try Grpc_Testing_ReconnectInfo(serializedBytes: [0x10, 0x05, 0x10, 0x06])
        #expect(decoded.backoffMs == [5, 6])
    }

    @Test func serviceDescriptorsCarryStreamingKinds() {
        let health = Grpc_Health_V1_Health.descriptor
        #expect(health.fullName == "grpc.health.v1.Health")
        #expect(health.methods.map(\.method) == ["Check", "List", "Watch"])
        #expect(Grpc_Health_V1_Health.Method.Watch.descriptor.kind == .serverStreaming)
        #expect(Grpc_Health_V1_Health.Method.Watch.descriptor.path == "/grpc.health.v1.Health/Watch")
        #expect(Grpc_Reflection_V1_ServerReflection.Method.ServerReflectionInfo.descriptor.kind == .bidirectionalStreaming)
        #expect(Grpc_Testing_TestService.Method.StreamingInputCall.descriptor.kind == .clientStreaming)
        #expect(Grpc_Testing_TestService.Method.UnaryCall.descriptor.inputType == "grpc.testing.SimpleRequest")
        let input: Grpc_Testing_TestService.Method.UnaryCall.Input = Grpc_Testing_SimpleRequest()
        #expect(type(of: input).protoFullName == "grpc.testing.SimpleRequest")
        #expect(BoxOfficeDescriptorSet.services.contains(health))
    }
}

/// A sampled message type as a test argument.
struct SampledType: Sendable, CustomStringConvertible {
    let messageType: any ProtoSampled.Type
    init(_ messageType: any ProtoSampled.Type) { self.messageType = messageType }
    var description: String { messageType.protoFullName }

    func checkBinary() throws { try Self.binary(messageType) }
    func checkJSON() throws { try Self.json(messageType) }
    func checkDefaults() throws { try Self.defaults(messageType) }

    private static func binary<Message: ProtoSampled>(_: Message.Type) throws {
        for variant in 0..<Message.protoSampleCount {
            let sample = Message.protoSample(variant, depth: 3)
            let bytes = sample.serializedBytes()
            let decoded = try Message(serializedBytes: bytes)
            #expect(decoded == sample, "\(Message.protoFullName) #\(variant)")
            #expect(decoded.serializedBytes() == bytes)
            if variant > 0 || sample != Message() { #expect(!bytes.isEmpty) }
        }
    }

    private static func json<Message: ProtoSampled>(_: Message.Type) throws {
        for variant in 0..<Message.protoSampleCount {
            let sample = Message.protoSample(variant, depth: 3)
            let text = try JSONEncoder().encode(sample)
            let decoded = try JSONDecoder().decode(Message.self, from: text)
            #expect(decoded == sample, "\(Message.protoFullName) #\(variant): \(String(decoding: text, as: UTF8.self))")
        }
    }

    private static func defaults<Message: ProtoSampled>(_: Message.Type) throws {
        let empty = Message()
        // Timestamp, Duration and the wrappers have special JSON forms (a string, a bare value).
        let specialJSON = Message.protoFullName.hasPrefix("google.protobuf.") && Message.protoFullName != "google.protobuf.Empty"
        if !specialJSON {
            #expect(String(decoding: try JSONEncoder().encode(empty), as: UTF8.self) == "{}")
        }
        #expect(empty.serializedBytes().isEmpty)
        #expect(try Message(serializedBytes: []) == empty)
        #expect(Message.protoSample(0, depth: 0) == empty)
    }
}
