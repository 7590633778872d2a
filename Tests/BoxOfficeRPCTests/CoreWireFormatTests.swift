import NIOCore
import Testing
@testable import BoxOfficeRPC

@Suite struct CoreTimeoutTests {
    @Test(arguments: [
        ("1H", Duration.seconds(3600)), ("2M", .seconds(120)), ("3S", .seconds(3)), ("250m", .milliseconds(250)),
        ("7u", .microseconds(7)), ("99999999n", .nanoseconds(99_999_999)), ("0S", .zero),
    ])
    func parses(text: String, duration: Duration) {
        #expect(GRPCTimeout(headerValue: text)?.duration == duration)
    }

    @Test(arguments: ["", "S", "100", "123456789S", "-1S", "1s", "1 S", "1.5S", "1X"])
    func rejects(text: String) {
        #expect(GRPCTimeout(headerValue: text) == nil)
    }

    @Test(arguments: [
        (Duration.milliseconds(1500), "1500000u"), (.seconds(1), "1000000u"), (.nanoseconds(5), "5n"),
        (.seconds(100), "100000m"), (.seconds(200_000), "200000S"), (.seconds(3600 * 100_000), "6000000M"),
        (.seconds(-1), "0n"),
    ])
    func encodesInTheFinestUnitThatFits(duration: Duration, text: String) {
        #expect(GRPCTimeout(duration).headerValue == text)
    }

    @Test func encodedValueNeverShortensTheBudget() throws {
        for duration in [Duration.nanoseconds(100_000_001), .milliseconds(123_456_789), .seconds(987_654_321)] {
            let parsed = try #require(GRPCTimeout(headerValue: GRPCTimeout(duration).headerValue))
            #expect(parsed.duration >= duration)
        }
    }
}

@Suite struct CoreStatusMessageTests {
    @Test func roundTripsSpecialStatusMessage() {
        let message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"
        let encoded = GRPCStatusMessage.encode(message)
        #expect(encoded.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E })
        #expect(encoded.hasPrefix("%09%0Atest with whitespace%0D%0A"))
        #expect(GRPCStatusMessage.decode(encoded) == message)
    }

    @Test func percentItselfIsEncoded() {
        #expect(GRPCStatusMessage.encode("100%") == "100%25")
        #expect(GRPCStatusMessage.encode("plain") == "plain")
    }

    @Test func decodingIsLenient() {
        #expect(GRPCStatusMessage.decode("50%") == "50%")
        #expect(GRPCStatusMessage.decode("%zz%4") == "%zz%4")
        #expect(GRPCStatusMessage.decode("%FF") == "\u{FFFD}")
    }
}

@Suite struct CoreContentTypeTests {
    @Test(arguments: ["application/grpc", "application/grpc+proto", "Application/GRPC", "application/grpc;charset=utf-8",
                      "application/grpc+json"])
    func accepts(value: String) { #expect(GRPCContentType.isGRPC(value)) }

    @Test(arguments: ["", "application/json", "application/grpcx", "text/plain", "application/grpc-web"])
    func rejects(value: String) { #expect(!GRPCContentType.isGRPC(value)) }

    @Test func protobufFormat() {
        #expect(GRPCContentType.isProtobuf("application/grpc+proto"))
        #expect(GRPCContentType.isProtobuf("application/grpc"))
        #expect(!GRPCContentType.isProtobuf("application/grpc+json"))
    }
}

@Suite struct CoreFramingTests {
    @Test func framesWithBigEndianPrefix() {
        #expect(GRPCMessageFramer.frame([7, 8, 9]) == [0, 0, 0, 0, 3, 7, 8, 9])
        var buffer = ByteBuffer()
        GRPCMessageFramer.frame([1], into: &buffer)
        GRPCMessageFramer.frame([], into: &buffer)
        #expect(Array(buffer.readableBytesView) == [0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0])
    }

    @Test(arguments: [1, 2, 3, 5, 7, 1000])
    func deframesWhateverTheChunking(chunk: Int) throws {
        let messages: [[UInt8]] = [[], [1, 2, 3], Array(repeating: 9, count: 300), [4]]
        let stream = messages.flatMap { GRPCMessageFramer.frame($0) }
        var deframer = GRPCMessageDeframer()
        var received: [[UInt8]] = []
        var offset = 0
        while offset < stream.count {
            deframer.append(Array(stream[offset..<min(offset + chunk, stream.count)]))
            offset += chunk
            while let message = try deframer.next() { received.append(message) }
        }
        #expect(received == messages)
        #expect(!deframer.hasPartialMessage)
    }

    /// Slices of one shared receive buffer, as the server session hands them over: the first
    /// chunk is kept without a copy, later ones are appended; the shared buffer never changes.
    @Test(arguments: [1, 4, 6, 11, 500])
    func deframesSlicesOfASharedBuffer(chunk: Int) throws {
        let messages: [[UInt8]] = [[7, 7], [], Array(repeating: 3, count: 200)]
        let wire = ByteBuffer(bytes: messages.flatMap { GRPCMessageFramer.frame($0) })
        let original = Array(wire.readableBytesView)
        var deframer = GRPCMessageDeframer()
        var received: [[UInt8]] = []
        var offset = 0
        while offset < wire.readableBytes {
            let length = min(chunk, wire.readableBytes - offset)
            deframer.append(wire.getSlice(at: wire.readerIndex + offset, length: length)!)
            offset += length
            while let message = try deframer.next() { received.append(message) }
        }
        #expect(received == messages)
        #expect(!deframer.hasPartialMessage)
        #expect(deframer.bufferedBytes == 0)
        #expect(Array(wire.readableBytesView) == original)
    }

    @Test func oversizedPrefixIsRejectedBeforeTheBody() {
        var deframer = GRPCMessageDeframer(maxMessageSize: 10)
        deframer.append([0, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect { try deframer.next() } throws: { ($0 as? RPCError)?.code == .resourceExhausted }
    }

    @Test func exactlyMaxSizeIsAccepted() throws {
        var deframer = GRPCMessageDeframer(maxMessageSize: 3)
        deframer.append(GRPCMessageFramer.frame([1, 2, 3]))
        #expect(try deframer.next() == [1, 2, 3])
    }

    @Test func compressedFlagWithoutEncodingIsInternal() {
        var deframer = GRPCMessageDeframer()
        deframer.append([1, 0, 0, 0, 1, 42])
        #expect { try deframer.next() } throws: { ($0 as? RPCError)?.code == .internal }
        var other = GRPCMessageDeframer()
        other.append([2, 0, 0, 0, 0])
        #expect { try other.next() } throws: { ($0 as? RPCError)?.code == .internal }
    }

    @Test func truncatedMessageIsVisible() throws {
        var deframer = GRPCMessageDeframer()
        deframer.append([0, 0, 0, 0, 4, 1, 2])
        #expect(try deframer.next() == nil)
        #expect(deframer.hasPartialMessage)
        var prefixOnly = GRPCMessageDeframer()
        prefixOnly.append([0, 0])
        #expect(try prefixOnly.next() == nil)
        #expect(prefixOnly.hasPartialMessage)
    }
}
