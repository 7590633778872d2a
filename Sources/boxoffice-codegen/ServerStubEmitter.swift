/// Writes a service's server protocols in grpc-swift 2's three levels, each registering itself
/// on an `RPCRouter` in one call:
/// - `StreamingServiceProtocol`: every method takes a request stream and returns a response stream;
/// - `ServiceProtocol`: single or streamed messages per the call kind, with metadata;
/// - `SimpleServiceProtocol`: plain messages, `RPCAsyncSequence` and `RPCWriter`.
/// Each level's default implementations bridge it to the level below.
struct ServerStubEmitter {
    let service: String
    let fullName: String
    let methods: [StubMethod]

    func emit(into out: inout CodeWriter) {
        out.block("extension \(service)") { out in
            streamingProtocol(into: &out)
            out.line()
            serviceProtocol(into: &out)
            out.line()
            simpleProtocol(into: &out)
        }
        out.line()
        streamingDefaults(into: &out)
        out.line()
        serviceDefaults(into: &out)
        out.line()
        simpleDefaults(into: &out)
    }

    // MARK: Signatures

    private func streamingSignature(_ method: StubMethod) -> String {
        "func \(method.function)(request: StreamingServerRequest<\(method.input)>, context: ServerContext) "
            + "async throws -> StreamingServerResponse<\(method.output)>"
    }

    private func serviceSignature(_ method: StubMethod) -> String {
        let request = method.kind.streamsRequests ? "StreamingServerRequest" : "ServerRequest"
        let response = method.kind.streamsResponses ? "StreamingServerResponse" : "ServerResponse"
        return "func \(method.function)(request: \(request)<\(method.input)>, context: ServerContext) "
            + "async throws -> \(response)<\(method.output)>"
    }

    private func simpleSignature(_ method: StubMethod) -> String {
        switch method.kind {
        case .unary:
            "func \(method.function)(request: \(method.input), context: ServerContext) async throws -> \(method.output)"
        case .serverStreaming:
            "func \(method.function)(request: \(method.input), response: RPCWriter<\(method.output)>, "
                + "context: ServerContext) async throws"
        case .clientStreaming:
            "func \(method.function)(request: RPCAsyncSequence<\(method.input)>, context: ServerContext) "
                + "async throws -> \(method.output)"
        case .bidirectionalStreaming:
            "func \(method.function)(request: RPCAsyncSequence<\(method.input)>, response: RPCWriter<\(method.output)>, "
                + "context: ServerContext) async throws"
        }
    }

    // MARK: Protocols

    private func streamingProtocol(into out: inout CodeWriter) {
        out.doc("""
            `\(fullName)` at the streaming level: every method reads a request stream and returns a \
            response stream, whatever its call kind.

            Conform to this for full control; ``ServiceProtocol`` and ``SimpleServiceProtocol`` are \
            easier. Register with `service.registerMethods(with: &router)`.
            """)
        out.block("public protocol StreamingServiceProtocol: Sendable") { out in
            for method in methods {
                out.doc(method.doc("Streaming level: the request and response are streams."))
                out.line(streamingSignature(method))
                out.line()
            }
            out.doc("Registers every method of `\(fullName)` on `router`, replacing earlier handlers of its paths.")
            out.line("func registerMethods(with router: inout RPCRouter)")
        }
    }

    private func serviceProtocol(into out: inout CodeWriter) {
        out.doc("""
            `\(fullName)` at the request/response level: single or streamed messages as each method's \
            call kind says, with request metadata and response metadata and trailers.

            Default implementations provide the ``StreamingServiceProtocol`` methods; \
            `registerMethods(with:)` registers each method with its own call kind.
            """)
        out.block("public protocol ServiceProtocol: \(service).StreamingServiceProtocol") { out in
            // A bidirectional method has the same shape at both levels: the streaming one serves.
            for method in methods where method.kind != .bidirectionalStreaming {
                out.doc(method.doc("Request/response level, with metadata."))
                out.line(serviceSignature(method))
                if method.name != methods.last(where: { $0.kind != .bidirectionalStreaming })?.name { out.line() }
            }
        }
    }

    private func simpleProtocol(into out: inout CodeWriter) {
        out.doc("""
            `\(fullName)` at the simple level: plain messages in and out, `RPCAsyncSequence` for request \
            streams and `RPCWriter` for response streams. Read metadata from the `ServerContext`.

            Default implementations provide the ``ServiceProtocol`` methods (no response metadata).
            """)
        out.block("public protocol SimpleServiceProtocol: \(service).ServiceProtocol") { out in
            for (position, method) in methods.enumerated() {
                if position > 0 { out.line() }
                out.doc(method.doc("Simple level."))
                out.line(simpleSignature(method))
            }
        }
    }

    // MARK: Default implementations

    private func streamingDefaults(into out: inout CodeWriter) {
        out.block("extension \(service).StreamingServiceProtocol") { out in
            out.doc("""
                Registers every method as a bidirectional-streaming handler (the streaming level sees \
                each call as streams; the request/response level registers each method with its own kind).
                """)
            out.block("public func registerMethods(with router: inout RPCRouter)") { out in
                for method in methods {
                    out.block("router.registerBidirectionalStreaming(\(method.descriptor))",
                              closure: "(request: StreamingServerRequest<\(method.input)>, context: ServerContext) "
                                  + "-> StreamingServerResponse<\(method.output)>") { out in
                        out.line("try await self.\(method.function)(request: request, context: context)")
                    }
                }
            }
        }
    }

    private func serviceDefaults(into out: inout CodeWriter) {
        out.block("extension \(service).ServiceProtocol") { out in
            out.doc("Registers every method of `\(fullName)` with its own call kind.")
            out.block("public func registerMethods(with router: inout RPCRouter)") { out in
                for method in methods {
                    let (register, request, response) = switch method.kind {
                    case .unary: ("registerUnary", "ServerRequest", "ServerResponse")
                    case .serverStreaming: ("registerServerStreaming", "ServerRequest", "StreamingServerResponse")
                    case .clientStreaming: ("registerClientStreaming", "StreamingServerRequest", "ServerResponse")
                    case .bidirectionalStreaming:
                        ("registerBidirectionalStreaming", "StreamingServerRequest", "StreamingServerResponse")
                    }
                    out.block("router.\(register)(\(method.descriptor))",
                              closure: "(request: \(request)<\(method.input)>, context: ServerContext) "
                                  + "-> \(response)<\(method.output)>") { out in
                        out.line("try await self.\(method.function)(request: request, context: context)")
                    }
                }
            }
            for method in methods where method.kind != .bidirectionalStreaming {
                out.line()
                out.doc("The streaming-level `\(method.name)`, served by the request/response-level method.")
                out.block("public " + streamingSignature(method)) { out in
                    switch method.kind {
                    case .unary, .serverStreaming:
                        out.line("let single = ServerRequest(")
                        out.line("    metadata: request.metadata,")
                        out.line("    message: try await GeneratedStubSupport.onlyMessage(of: request.messages, path: \"\(method.path)\")")
                        out.line(")")
                        if method.kind == .serverStreaming {
                            out.line("return try await self.\(method.function)(request: single, context: context)")
                        } else {
                            out.line("let response: ServerResponse<\(method.output)> = "
                                     + "try await self.\(method.function)(request: single, context: context)")
                            out.line("return GeneratedStubSupport.streaming(response)")
                        }
                    case .clientStreaming:
                        out.line("let response: ServerResponse<\(method.output)> = "
                                 + "try await self.\(method.function)(request: request, context: context)")
                        out.line("return GeneratedStubSupport.streaming(response)")
                    case .bidirectionalStreaming:
                        break
                    }
                }
            }
        }
    }

    private func simpleDefaults(into out: inout CodeWriter) {
        out.block("extension \(service).SimpleServiceProtocol") { out in
            for (position, method) in methods.enumerated() {
                if position > 0 { out.line() }
                out.doc("The request/response-level `\(method.name)`, served by the simple-level method.")
                switch method.kind {
                case .unary:
                    out.block("public " + serviceSignature(method)) { out in
                        out.line("ServerResponse(message: try await self.\(method.function)(request: request.message, context: context))")
                    }
                case .serverStreaming:
                    out.block("public " + serviceSignature(method)) { out in
                        out.block("StreamingServerResponse", closure: "writer") { out in
                            out.line("try await self.\(method.function)(request: request.message, response: writer, context: context)")
                            out.line("return [:]")
                        }
                    }
                case .clientStreaming:
                    out.block("public " + serviceSignature(method)) { out in
                        out.line("ServerResponse(message: try await self.\(method.function)(request: request.messages, context: context))")
                    }
                case .bidirectionalStreaming:
                    out.block("public " + streamingSignature(method)) { out in
                        out.block("StreamingServerResponse", closure: "writer") { out in
                            out.line("try await self.\(method.function)(request: request.messages, response: writer, context: context)")
                            out.line("return [:]")
                        }
                    }
                }
            }
        }
    }
}
