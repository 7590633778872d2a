#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import BoxOfficeProto
import BoxOfficeRPC
import Foundation

/// `boxoffice call SERVICE/METHOD '{json}'`: calls any method with proto3 JSON, grpcurl-style.
///
/// Exit codes: 0 OK; 1 the call ended with a non-OK status (printed as code and message); 2 the
/// call could not be made as given (unknown service or method, malformed JSON, bad flag value).
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call any BoxOffice (or standard gRPC) method with proto3 JSON.",
        discussion: """
            SERVICE is a full name (boxoffice.inventory.v1.InventoryService), a service name, or an alias: \
            inventory, booking, payment, provider, webhook, health, reflection, test. The request is proto3 JSON \
            ('-' reads it from standard input; omitted: {}); for client- and bidirectional-streaming methods a JSON \
            array sends one message per element. Each response message is printed as JSON (server streams: one per \
            message). A non-OK status prints its code and message and exits 1; an unknown service or method or \
            malformed JSON exits 2. Use --list to see every method.
            """)

    @Argument(help: "SERVICE/METHOD, e.g. provider/GetCharge.")
    var target: String?

    @Argument(help: "The request as proto3 JSON; '-' reads standard input.")
    var json: String?

    @Option(help: "HOST:PORT to call; default 127.0.0.1 and the service's default port (env BOXOFFICE_SERVER).")
    var server: String?

    @Option(name: .customLong("metadata"), help: "Request metadata KEY=VALUE (repeatable); -bin keys take base64.")
    var metadata: [String] = []

    @Option(help: "Deadline of the call in milliseconds.")
    var timeoutMs: Int?

    @Flag(help: "Print each response message on one line.")
    var compact = false

    @Flag(help: "List every service and method, then exit.")
    var list = false

    func run() async throws {
        if list {
            printMethods()
            return
        }
        do {
            let call = try prepare()
            try await perform(call)
        } catch let error as CallUsageError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Everything checked before a byte is sent.
    private struct PreparedCall {
        var method: CallableMethod
        var endpoint: ClientEndpoint
        var requests: [[UInt8]]
        var metadata: Metadata
        var options: CallOptions
    }

    private func prepare() throws(CallUsageError) -> PreparedCall {
        guard let target else { throw CallUsageError("missing SERVICE/METHOD (see --list)") }
        let method = try MethodTable.generated.resolve(target)
        let endpoint = try endpoint(for: method.descriptor)
        let text = try requestText()
        let data = Data(text.utf8)
        let requests: [[UInt8]]
        switch method.descriptor.kind {
        case .unary, .serverStreaming:
            requests = [try ProtoJSONTranscoder.bytes(fromJSON: data, as: method.input)]
        case .clientStreaming, .bidirectionalStreaming:
            requests = try ProtoJSONTranscoder.messageBytes(fromJSON: data, as: method.input)
        }
        var options = CallOptions()
        if let timeoutMs {
            guard timeoutMs > 0 else { throw CallUsageError("--timeout-ms must be positive, got \(timeoutMs)") }
            options.timeout = .milliseconds(timeoutMs)
        }
        return PreparedCall(method: method, endpoint: endpoint, requests: requests,
                            metadata: try requestMetadata(), options: options)
    }

    private func endpoint(for method: MethodDescriptor) throws(CallUsageError) -> ClientEndpoint {
        if let server = server ?? environmentDefault("server") {
            guard let endpoint = ClientEndpoint(server) else {
                throw CallUsageError("--server must be HOST:PORT, got '\(server)'")
            }
            return endpoint
        }
        guard let port = MethodTable.defaultPorts[method.service] else {
            throw CallUsageError("--server HOST:PORT is required for \(method.service)")
        }
        return ClientEndpoint(host: "127.0.0.1", port: port)
    }

    private func requestText() throws(CallUsageError) -> String {
        guard let json else { return "{}" }
        guard json == "-" else { return json }
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let text = String(decoding: input, as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? "{}" : text
    }

    private func requestMetadata() throws(CallUsageError) -> Metadata {
        var result = Metadata()
        for pair in metadata {
            guard let equals = pair.firstIndex(of: "=") else {
                throw CallUsageError("--metadata must be KEY=VALUE, got '\(pair)'")
            }
            let key = pair[..<equals].lowercased()
            let value = String(pair[pair.index(after: equals)...])
            guard Metadata.isValidKey(key), !key.hasPrefix("grpc-") else {
                throw CallUsageError("metadata key '\(key)' is not allowed (lower-case 0-9 a-z _ . -, no grpc- prefix)")
            }
            if key.hasSuffix("-bin") {
                let padded = value + String(repeating: "=", count: (4 - value.utf8.count % 4) % 4)
                guard let bytes = Data(base64Encoded: padded) else {
                    throw CallUsageError("metadata '\(key)' ends in -bin, so its value must be base64")
                }
                result.addBinary(Array(bytes), forKey: key)
            } else {
                guard Metadata.isValidASCIIValue(value) else {
                    throw CallUsageError("metadata '\(key)' must be printable ASCII")
                }
                result.addString(value, forKey: key)
            }
        }
        return result
    }

    private func perform(_ call: PreparedCall) async throws {
        let channel = GRPCChannel(endpoints: [call.endpoint])
        let client = GRPCClient(channel: channel)
        let descriptor = call.method.descriptor
        let output = call.method.output
        let pretty = !compact
        let requests = call.requests
        let outcome: Result<Void, any Error>
        do {
            switch descriptor.kind {
            case .unary:
                let response = try await client.unary(
                    request: ClientRequest(message: requests[0], metadata: call.metadata),
                    descriptor: descriptor, options: call.options)
                try Self.emit(response.message, as: output, pretty: pretty)
            case .serverStreaming:
                try await client.serverStreaming(
                    request: ClientRequest(message: requests[0], metadata: call.metadata),
                    descriptor: descriptor, options: call.options) { response in
                        for try await message in response.messages { try Self.emit(message, as: output, pretty: pretty) }
                    }
            case .clientStreaming:
                let response = try await client.clientStreaming(
                    request: StreamingClientRequest(metadata: call.metadata) { writer in
                        for message in requests { try await writer.write(message) }
                    },
                    descriptor: descriptor, options: call.options)
                try Self.emit(response.message, as: output, pretty: pretty)
            case .bidirectionalStreaming:
                try await client.bidirectionalStreaming(
                    request: StreamingClientRequest(metadata: call.metadata) { writer in
                        for message in requests { try await writer.write(message) }
                    },
                    descriptor: descriptor, options: call.options) { response in
                        for try await message in response.messages { try Self.emit(message, as: output, pretty: pretty) }
                    }
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await channel.close()
        if case .failure(let error) = outcome {
            let status = (error as? RPCError)?.status ?? Status(code: .unknown, message: "\(error)")
            FileHandle.standardError.write(Data("ERROR:\n  Code: \(Self.statusName(status.code))\n  Message: \(status.message)\n".utf8))
            throw ExitCode(1)
        }
    }

    private static func emit(_ bytes: [UInt8], as type: any ProtoCBackedMessage.Type, pretty: Bool) throws {
        let text = try ProtoJSONTranscoder.json(fromBytes: bytes, as: type, pretty: pretty)
        print(text)
        fflush(nil)
    }

    /// grpcurl's spelling of a status code: `NotFound`, `InvalidArgument`, `Unavailable`.
    static func statusName(_ code: RPCError.Code) -> String {
        let name = code.description
        return name.prefix(1).uppercased() + name.dropFirst()
    }

    private func printMethods() {
        for service in MethodTable.generated.services {
            print(service.fullName)
            for method in service.methods {
                let kind = switch method.kind {
                case .unary: "unary"
                case .serverStreaming: "server-streaming"
                case .clientStreaming: "client-streaming"
                case .bidirectionalStreaming: "bidi-streaming"
                }
                print("  \(method.method)(\(method.inputType)) returns (\(method.outputType)) [\(kind)]")
            }
        }
    }
}
