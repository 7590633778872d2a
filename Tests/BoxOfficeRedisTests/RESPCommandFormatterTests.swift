import NIOCore
import Testing
@testable import BoxOfficeRedis

@Suite("RESP command formatting (hiredis)")
struct RESPCommandFormatterTests {
    private func encoded(_ command: RedisCommand) -> String {
        var buffer = ByteBuffer()
        RESPCommandFormatter.format(command, into: &buffer)
        return String(decoding: buffer.readableBytesView, as: UTF8.self)
    }

    @Test func multiBulkWithLengths() {
        #expect(encoded(RedisCommand("SET", "key", "value")) == "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
    }

    @Test func binaryAndEmptyArguments() {
        var buffer = ByteBuffer()
        RESPCommandFormatter.format(RedisCommand("SET", [UInt8]([0, 13, 10]), ""), into: &buffer)
        let expected = Array("*3\r\n$3\r\nSET\r\n$3\r\n".utf8) + [0, 13, 10] + Array("\r\n$0\r\n\r\n".utf8)
        #expect(Array(buffer.readableBytesView) == expected)
    }

    @Test func numbersAreDecimalText() {
        #expect(encoded(RedisCommand("X", 42, Int64(-7), 1.5, Double.infinity))
            == "*5\r\n$1\r\nX\r\n$2\r\n42\r\n$2\r\n-7\r\n$3\r\n1.5\r\n$4\r\n+inf\r\n")
    }

    @Test func severalCommandsAppendToOneBuffer() {
        var buffer = ByteBuffer()
        RESPCommandFormatter.format(RedisCommand("PING"), into: &buffer)
        RESPCommandFormatter.format(RedisCommand("PING"), into: &buffer)
        #expect(String(buffer: buffer) == "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n")
    }

    @Test func commandKeepsItsArguments() {
        let command = RedisCommand("HSET", "k", "f", 1)
        #expect(command.name == "HSET")
        #expect(command.argumentCount == 4)
        #expect(command.arguments == [Array("HSET".utf8), Array("k".utf8), Array("f".utf8), Array("1".utf8)])
    }
}
