/// Writes a service's typed client, `<Service>.Client`, shaped like grpc-swift 2's: per method a
/// request/response-level call (`request:` with metadata in and out) and a message-level
/// convenience (`_ message:` or a request producer).
struct ClientStubEmitter {
    let service: String
    let fullName: String
    let methods: [StubMethod]

    func emit(into out: inout CodeWriter) {
        out.block("extension \(service)") { out in
            out.doc("""
                A typed client for `\(fullName)`, wrapping a `GRPCClient`.

                Calls throw `RPCError` with the call's status when it does not end OK. Streaming \
                responses are read inside `onResponse`; the call ends when it returns.
                """)
            out.block("public struct Client: Sendable") { out in
                out.doc("The client making the calls.")
                out.line("public let client: GRPCClient")
                out.line()
                out.doc("A client calling `\(fullName)` through `client`.")
                out.block("public init(wrapping client: GRPCClient)") { out in
                    out.line("self.client = client")
                }
                for method in methods {
                    out.line()
                    emit(method, into: &out)
                }
            }
        }
    }

    private func emit(_ method: StubMethod, into out: inout CodeWriter) {
        let f = method.function
        let (input, output, descriptor) = (method.input, method.output, method.descriptor)
        let onResponse = "onResponse handleResponse: @escaping @Sendable (StreamingClientResponse<\(output)>) "
            + "async throws -> Result"
        let producer = "requestProducer producer: @escaping @Sendable (RPCWriter<\(input)>) async throws -> Void"
        switch method.kind {
        case .unary:
            out.doc(method.doc("Returns the response with its metadata and trailers."))
            out.block("public func \(f)(request: ClientRequest<\(input)>, options: CallOptions = .defaults) "
                      + "async throws -> ClientResponse<\(output)>") { out in
                out.line("try await client.unary(request: request, descriptor: \(descriptor), "
                         + "responseType: \(output).self, options: options)")
            }
            out.line()
            out.doc(method.doc("Returns the response message."))
            out.block("public func \(f)(_ message: \(input), metadata: Metadata = [:], options: CallOptions = .defaults) "
                      + "async throws -> \(output)") { out in
                out.line("try await \(f)(request: ClientRequest(message: message, metadata: metadata), options: options).message")
            }
        case .serverStreaming:
            out.doc(method.doc("Read the responses in `handleResponse`; its result is the call's result."))
            out.block("public func \(f)<Result: Sendable>(request: ClientRequest<\(input)>, options: CallOptions = .defaults, "
                      + "\(onResponse)) async throws -> Result") { out in
                out.line("try await client.serverStreaming(request: request, descriptor: \(descriptor), "
                         + "responseType: \(output).self, options: options, onResponse: handleResponse)")
            }
            out.line()
            out.doc(method.doc("Sends `message`; read the responses in `handleResponse`."))
            out.block("public func \(f)<Result: Sendable>(_ message: \(input), metadata: Metadata = [:], "
                      + "options: CallOptions = .defaults, \(onResponse)) async throws -> Result") { out in
                out.line("try await \(f)(request: ClientRequest(message: message, metadata: metadata), options: options, "
                         + "onResponse: handleResponse)")
            }
        case .clientStreaming:
            out.doc(method.doc("The request's producer writes the messages; returns the response with its metadata."))
            out.block("public func \(f)(request: StreamingClientRequest<\(input)>, options: CallOptions = .defaults) "
                      + "async throws -> ClientResponse<\(output)>") { out in
                out.line("try await client.clientStreaming(request: request, descriptor: \(descriptor), "
                         + "responseType: \(output).self, options: options)")
            }
            out.line()
            out.doc(method.doc("`producer` writes the messages; returns the response message."))
            out.block("public func \(f)(metadata: Metadata = [:], options: CallOptions = .defaults, \(producer)) "
                      + "async throws -> \(output)") { out in
                out.line("try await \(f)(request: StreamingClientRequest(metadata: metadata, producer: producer), "
                         + "options: options).message")
            }
            out.line()
            out.doc(method.doc("Sends `messages` in order; returns the response message."))
            out.block("public func \(f)(_ messages: some Sequence<\(input)> & Sendable, metadata: Metadata = [:], "
                      + "options: CallOptions = .defaults) async throws -> \(output)") { out in
                out.line("try await \(f)(metadata: metadata, options: options) { try await $0.write(contentsOf: messages) }")
            }
        case .bidirectionalStreaming:
            out.doc(method.doc("The request's producer writes while `handleResponse` reads; its result is the call's result."))
            out.block("public func \(f)<Result: Sendable>(request: StreamingClientRequest<\(input)>, "
                      + "options: CallOptions = .defaults, \(onResponse)) async throws -> Result") { out in
                out.line("try await client.bidirectionalStreaming(request: request, descriptor: \(descriptor), "
                         + "responseType: \(output).self, options: options, onResponse: handleResponse)")
            }
            out.line()
            out.doc(method.doc("`producer` writes the messages while `handleResponse` reads the responses."))
            out.block("public func \(f)<Result: Sendable>(metadata: Metadata = [:], options: CallOptions = .defaults, "
                      + "\(producer), \(onResponse)) async throws -> Result") { out in
                out.line("try await \(f)(request: StreamingClientRequest(metadata: metadata, producer: producer), "
                         + "options: options, onResponse: handleResponse)")
            }
        }
    }
}
