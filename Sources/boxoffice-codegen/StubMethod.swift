/// One RPC as the stub emitters see it: names, call kind and the Swift spellings they share.
struct StubMethod {
    /// The four gRPC call kinds, by whether each side streams.
    enum Kind {
        case unary, serverStreaming, clientStreaming, bidirectionalStreaming

        init(clientStreaming: Bool, serverStreaming: Bool) {
            switch (clientStreaming, serverStreaming) {
            case (false, false): self = .unary
            case (false, true): self = .serverStreaming
            case (true, false): self = .clientStreaming
            case (true, true): self = .bidirectionalStreaming
            }
        }

        /// The phrase used in doc comments.
        var phrase: String {
            switch self {
            case .unary: "unary"
            case .serverStreaming: "server-streaming"
            case .clientStreaming: "client-streaming"
            case .bidirectionalStreaming: "bidirectional-streaming"
            }
        }

        var streamsRequests: Bool { self == .clientStreaming || self == .bidirectionalStreaming }
        var streamsResponses: Bool { self == .serverStreaming || self == .bidirectionalStreaming }
    }

    /// The proto method name, `HoldSeats`.
    let name: String
    /// The Swift function name, `holdSeats`.
    let function: String
    let kind: Kind
    /// `/package.Service/Method`.
    let path: String
    /// The proto comment on the method, if any.
    let comment: String?
    /// `Service.Method.HoldSeats`, the namespace holding `Input`, `Output` and `descriptor`.
    let namespace: String

    var input: String { namespace + ".Input" }
    var output: String { namespace + ".Output" }
    var descriptor: String { namespace + ".descriptor" }

    /// The doc comment of a generated member: the proto comment (or the path), then `detail`.
    func doc(_ detail: String) -> String {
        (comment.map { $0.trimmingTrailingNewlines() + "\n\n" } ?? "`\(path)` (\(kind.phrase)).\n\n") + detail
    }

    /// The methods of `service`, in declaration order.
    static func methods(of service: ServiceDescriptorProto, fullName: String, swiftName: String,
                        comments: SourceComments, path: [Int32]) -> [StubMethod] {
        service.method.enumerated().map { position, method in
            StubMethod(name: method.name, function: Naming.escaped(Naming.lowerCamel(method.name)),
                       kind: Kind(clientStreaming: method.clientStreaming, serverStreaming: method.serverStreaming),
                       path: "/\(fullName)/\(method.name)", comment: comments[path + [2, Int32(position)]],
                       namespace: "\(swiftName).Method.\(method.name)")
        }
    }
}

extension String {
    fileprivate func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last == "\n" || text.last == " " { text.removeLast() }
        return text
    }
}
