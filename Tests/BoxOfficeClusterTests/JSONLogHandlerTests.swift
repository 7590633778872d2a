import Foundation
import Logging
@testable import BoxOfficeServiceKit
import Testing

@Suite struct JSONLogHandlerTests {
    private func parse(_ line: String) throws -> [String: Any] {
        #expect(line.hasSuffix("\n"))
        #expect(line.dropLast().contains("\n") == false)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: Any])
    }

    @Test func aLineIsOneJSONObjectWithTheFields() throws {
        let line = JSONLogHandler.line(time: "2026-11-29T14:01:20.123Z", level: .warning, label: "boxoffice.inventory",
                                       message: "hold \"A-1\" failed\nretrying\t\u{1}", metadata: [
                                           "event.id": "42", "attempts": .stringConvertible(3),
                                           "seats": .array(["A-1", "A-2"]), "rpc": .dictionary(["method": "/x.Y/Z"]),
                                       ])
        let object = try parse(line)
        #expect(object["time"] as? String == "2026-11-29T14:01:20.123Z")
        #expect(object["level"] as? String == "warning")
        #expect(object["label"] as? String == "boxoffice.inventory")
        #expect(object["message"] as? String == "hold \"A-1\" failed\nretrying\t\u{1}")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["event.id"] as? String == "42")
        #expect(metadata["attempts"] as? String == "3")
        #expect(metadata["seats"] as? [String] == ["A-1", "A-2"])
        #expect((metadata["rpc"] as? [String: String])?["method"] == "/x.Y/Z")
    }

    @Test func noMetadataMeansNoMetadataKey() throws {
        let object = try parse(JSONLogHandler.line(time: "t", level: .info, label: "l", message: "m ☺ 😈", metadata: [:]))
        #expect(object["metadata"] == nil)
        #expect(object["message"] as? String == "m ☺ 😈")
    }

    @Test func theHandlerWritesMergedMetadataToItsDescriptor() throws {
        var pipe: [Int32] = [0, 0]
        #expect(Foundation.pipe(&pipe) == 0)
        defer { close(pipe[0]) }
        var handler = JSONLogHandler(label: "test", fileDescriptor: pipe[1])
        handler.logLevel = .debug
        handler[metadataKey: "service"] = "booking"
        var logger = Logger(label: "test", factory: { _ in handler })
        logger[metadataKey: "request"] = "r1"
        logger.info("saga step", metadata: ["step": "charge"])
        close(pipe[1])
        let data = FileHandle(fileDescriptor: pipe[0], closeOnDealloc: false).readDataToEndOfFile()
        let object = try parse(String(decoding: data, as: UTF8.self))
        #expect(object["message"] as? String == "saga step")
        #expect(object["level"] as? String == "info")
        #expect(object["metadata"] as? [String: String] == ["service": "booking", "request": "r1", "step": "charge"])
        let time = try #require(object["time"] as? String)
        #expect(time.count == 24 && time.hasSuffix("Z"))
    }
}
