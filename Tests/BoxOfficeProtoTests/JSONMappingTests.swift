import BoxOfficeAPI
import BoxOfficeProto
import Foundation
import Testing

/// The proto3 JSON mapping of generated messages.
@Suite struct JSONMappingTests {
    private func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private func decode<T: Decodable>(_: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    @Test func namesAreLowerCamelAndDefaultsOmitted() throws {
        var request = Grpc_Testing_SimpleRequest()
        request.responseSize = 3
        request.fillUsername = true
        request.fillOauthScope = false
        #expect(try json(request) == #"{"fillUsername":true,"responseSize":3}"#)
    }

    @Test func originalNamesAndNumbersAreAcceptedOnInput() throws {
        let request = try decode(Grpc_Testing_SimpleRequest.self,
                                 #"{"response_size":"12","fill_username":true,"responseType":0,"payload":null}"#)
        #expect(request.responseSize == 12)
        #expect(request.fillUsername)
        #expect(request.payload == nil)
    }

    @Test func unknownFieldsAreRejected() {
        #expect(throws: DecodingError.self) { try decode(Grpc_Testing_SimpleRequest.self, #"{"bogus":1}"#) }
    }

    @Test func sixtyFourBitIntegersAreStrings() throws {
        var money = Boxoffice_Common_V1_Money()
        money.amountMinor = -9_007_199_254_740_993
        money.currency = "USD"
        #expect(try json(money) == #"{"amountMinor":"-9007199254740993","currency":"USD"}"#)
        #expect(try decode(Boxoffice_Common_V1_Money.self, #"{"amountMinor":"-9007199254740993"}"#).amountMinor == -9_007_199_254_740_993)
        #expect(try decode(Boxoffice_Common_V1_Money.self, #"{"amountMinor":42}"#).amountMinor == 42)
        #expect(throws: DecodingError.self) { try decode(Boxoffice_Common_V1_Money.self, #"{"amountMinor":"4x"}"#) }
    }

    @Test func enumsAreNamesAndNumbersAreAccepted() throws {
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = .notServing
        #expect(try json(response) == #"{"status":"NOT_SERVING"}"#)
        #expect(try decode(Grpc_Health_V1_HealthCheckResponse.self, #"{"status":1}"#).status == .serving)
        #expect(try decode(Grpc_Health_V1_HealthCheckResponse.self, #"{"status":"SERVICE_UNKNOWN"}"#).status == .serviceUnknown)
        response.status = .unrecognized(17)
        #expect(try json(response) == #"{"status":17}"#)
        #expect(throws: DecodingError.self) { try decode(Grpc_Health_V1_HealthCheckResponse.self, #"{"status":"NOPE"}"#) }
    }

    @Test func bytesAreBase64() throws {
        var payload = Grpc_Testing_Payload()
        payload.body = [0xFB, 0xFF, 0x00]
        #expect(try json(payload) == #"{"body":"+/8A"}"#)
        #expect(try decode(Grpc_Testing_Payload.self, #"{"body":"-_8A"}"#).body == [0xFB, 0xFF, 0x00])
        #expect(try decode(Grpc_Testing_Payload.self, #"{"body":"-_8"}"#).body == [0xFB, 0xFF])
    }

    @Test func mapsAreObjects() throws {
        var report = Grpc_Testing_TestOrcaReport()
        report.utilization = ["b": 0.5, "a": 1]
        #expect(try json(report) == #"{"utilization":{"a":1,"b":0.5}}"#)
        #expect(try decode(Grpc_Testing_TestOrcaReport.self, #"{"utilization":{"x":"NaN"}}"#).utilization["x"]?.isNaN == true)
        report.utilization = ["inf": .infinity]
        #expect(try json(report) == #"{"utilization":{"inf":"Infinity"}}"#)
    }

    @Test func oneofsAreTheSetMember() throws {
        var request = Grpc_Reflection_V1_ServerReflectionRequest()
        request.messageRequest = .listServices("")
        #expect(try json(request) == #"{"listServices":""}"#)
        let decoded = try decode(Grpc_Reflection_V1_ServerReflectionRequest.self, #"{"file_by_filename":"a.proto"}"#)
        #expect(decoded.messageRequest == .fileByFilename("a.proto"))
    }

    @Test func timestampsAreRFC3339() throws {
        var timestamp = Google_Protobuf_Timestamp()
        timestamp.seconds = 63_108_020
        timestamp.nanos = 21_000_000
        #expect(try json(timestamp) == #""1972-01-01T10:00:20.021Z""#)
        timestamp.nanos = 0
        #expect(try json(timestamp) == #""1972-01-01T10:00:20Z""#)
        timestamp.seconds = -62_135_596_800
        timestamp.nanos = 1
        #expect(try json(timestamp) == #""0001-01-01T00:00:00.000000001Z""#)
        let parsed = try decode(Google_Protobuf_Timestamp.self, #""1972-01-01T11:00:20.5+01:00""#)
        #expect(parsed.seconds == 63_108_020 && parsed.nanos == 500_000_000)
        #expect(throws: (any Error).self) { try decode(Google_Protobuf_Timestamp.self, #""1972-13-01T00:00:00Z""#) }
        timestamp.seconds = 253_402_300_800
        #expect(throws: (any Error).self) { try json(timestamp) }
    }

    @Test func timestampsConvertToDates() {
        let date = Date(timeIntervalSince1970: 1_767_225_600.25)
        let timestamp = Google_Protobuf_Timestamp(date: date)
        #expect(timestamp.seconds == 1_767_225_600 && timestamp.nanos == 250_000_000)
        #expect(timestamp.date == date)
        let before = Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: -1.5))
        #expect(before.seconds == -2 && before.nanos == 500_000_000)
    }

    @Test func durationsAreSecondsWithSuffix() throws {
        var duration = Google_Protobuf_Duration()
        duration.seconds = 1
        duration.nanos = 340_012
        #expect(try json(duration) == #""1.000340012s""#)
        duration.seconds = -3
        duration.nanos = -500_000_000
        #expect(try json(duration) == #""-3.500s""#)
        duration.seconds = 0
        duration.nanos = -1000
        #expect(try json(duration) == #""-0.000001s""#)
        let parsed = try decode(Google_Protobuf_Duration.self, #""-0.5s""#)
        #expect(parsed.seconds == 0 && parsed.nanos == -500_000_000)
        #expect(Google_Protobuf_Duration(.milliseconds(1500)).duration == .milliseconds(1500))
        #expect(throws: (any Error).self) { try decode(Google_Protobuf_Duration.self, #""5""#) }
    }
}
