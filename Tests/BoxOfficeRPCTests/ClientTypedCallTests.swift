import BoxOfficeProto
@testable import BoxOfficeRPC
import Testing

/// A one-field protobuf message (`bytes value = 1;`) encoded by hand, so the typed call path can
/// be tested without generated code.
struct ClientTestBytesValue: ProtoMessage {
    static let protoFullName = "boxoffice.test.BytesValue"
    var value: [UInt8] = []

    init() {}

    init(_ value: [UInt8]) {
        self.value = value
    }

    init(serializedBytes bytes: [UInt8]) throws(ProtoDecodingError) {
        var index = 0
        while index < bytes.count {
            guard bytes[index] == 0x0a else { throw ProtoDecodingError(.invalidWireType, "unexpected tag \(bytes[index])") }
            index += 1
            var length = 0
            var shift = 0
            while true {
                guard index < bytes.count, shift < 35 else { throw ProtoDecodingError(.truncated, "varint") }
                let byte = bytes[index]
                index += 1
                length |= Int(byte & 0x7f) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
            }
            guard index + length <= bytes.count else { throw ProtoDecodingError(.lengthPastEnd, "value") }
            value = Array(bytes[index..<index + length])  // last one wins, as in protobuf
            index += length
        }
    }

    func serializedBytes() -> [UInt8] {
        guard !value.isEmpty else { return [] }
        var out: [UInt8] = [0x0a]
        var length = value.count
        while length >= 0x80 {
            out.append(UInt8(length & 0x7f) | 0x80)
            length >>= 7
        }
        out.append(UInt8(length))
        return out + value
    }
}

@Suite("Client typed calls against grpcio")
struct ClientTypedCallTests {
    typealias Value = ClientTestBytesValue

    @Test func unaryAndBidiWithMessages() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            let response = try await client.unary(request: ClientRequest(message: Value(Array(repeating: 3, count: 300))),
                                                  descriptor: Echo.unary, responseType: Value.self)
            #expect(response.message == Value(Array(repeating: 3, count: 300)))

            let echoed = try await client.bidirectionalStreaming(
                request: StreamingClientRequest<Value> { writer in
                    try await writer.write(contentsOf: (1...5).map { Value([UInt8]($0...5)) })
                },
                descriptor: Echo.bidi, responseType: Value.self
            ) { response in
                var values: [Value] = []
                for try await value in response.messages { values.append(value) }
                return values
            }
            #expect(echoed == (1...5).map { Value([UInt8]($0...5)) })
        }
    }

    @Test func clientStreamingConcatenationDecodesAsLastValue() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            let response = try await client.clientStreaming(
                request: StreamingClientRequest<Value> { writer in
                    try await writer.write(Value([1]))
                    try await writer.write(Value([2, 2]))
                },
                descriptor: Echo.clientStream, responseType: Value.self)
            #expect(response.message == Value([2, 2]))
        }
    }

    @Test func undecodableResponseIsInternal() async throws {
        let server = try await SharedEchoServer.get()
        try await withClient([server.endpoint]) { client in
            // The server appends an index byte to each message: not valid protobuf any more.
            let error = await rpcError {
                try await client.serverStreaming(request: ClientRequest(message: Value([7]), metadata: ["x-count": "2"]),
                                                 descriptor: Echo.serverStream, responseType: Value.self) { response in
                    for try await _ in response.messages {}
                }
            }
            #expect(error?.code == .internal)
            #expect(error?.message.contains(Value.protoFullName) == true)
        }
    }
}
