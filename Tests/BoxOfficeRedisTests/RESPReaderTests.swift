import Testing
@testable import BoxOfficeRedis

@Suite("RESP reader (hiredis)")
struct RESPReaderTests {
    private func parse(_ text: String) throws -> [RESPValue] {
        try parse(Array(text.utf8))
    }

    private func parse(_ bytes: [UInt8], chunk: Int = .max) throws -> [RESPValue] {
        var reader = RESPReader()
        var replies: [RESPValue] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            try bytes[offset..<end].withUnsafeBytes { try reader.feed($0) }
            offset = end
            while let reply = try reader.next() { replies.append(reply) }
        }
        return replies
    }

    @Test func everyRESP2Kind() throws {
        let replies = try parse("+OK\r\n-WRONGTYPE Operation against a key\r\n:-42\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n*0\r\n$0\r\n\r\n")
        #expect(replies == [
            .simpleString("OK"),
            .error(RedisServerError(prefix: "WRONGTYPE", message: "Operation against a key")),
            .integer(-42),
            .bulkString(Array("hello".utf8)),
            .null,
            .null,
            .array([]),
            .bulkString([]),
        ])
    }

    @Test func nestedArraysWithNulls() throws {
        let replies = try parse("*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n+x\r\n")
        #expect(replies == [.array([.integer(1), .array([.bulkString([97]), .null]), .simpleString("x")])])
    }

    @Test func bulkStringsAreBinarySafe() throws {
        let payload: [UInt8] = [0, 13, 10, 255, 36, 42]
        let replies = try parse(Array("$6\r\n".utf8) + payload + Array("\r\n".utf8))
        #expect(replies == [.bulkString(payload)])
    }

    @Test(arguments: [1, 2, 3, 7])
    func repliesSplitAcrossReadsAreReassembled(chunk: Int) throws {
        let stream = "*2\r\n$3\r\nfoo\r\n:12345\r\n+PONG\r\n-ERR boom\r\n"
        let replies = try parse(Array(stream.utf8), chunk: chunk)
        #expect(replies == [
            .array([.bulkString(Array("foo".utf8)), .integer(12345)]),
            .simpleString("PONG"),
            .error(RedisServerError(prefix: "ERR", message: "boom")),
        ])
    }

    @Test func incompleteReplyYieldsNothingYet() throws {
        #expect(try parse("$10\r\nhello").isEmpty)
    }

    @Test func garbageIsAProtocolViolation() throws {
        var reader = RESPReader()
        try Array("?nonsense\r\n".utf8).withUnsafeBytes { try reader.feed($0) }
        for _ in 0..<2 {  // and it stays failed
            do {
                _ = try reader.next()
                Issue.record("garbage must not parse")
            } catch {
                #expect(error.code == .protocolViolation)
            }
        }
    }

    @Test(arguments: [
        ("NOSCRIPT No matching script. Please use EVAL.", "NOSCRIPT", "No matching script. Please use EVAL."),
        ("LOADING Redis is loading the dataset in memory", "LOADING", "Redis is loading the dataset in memory"),
        ("ERR unknown command 'FOO'", "ERR", "unknown command 'FOO'"),
        ("oops lower-case", "ERR", "oops lower-case"),
    ])
    func serverErrorPrefixes(reply: String, prefix: String, message: String) {
        let error = RedisServerError(reply: reply)
        #expect(error.prefix == prefix)
        #expect(error.message == message)
    }
}
