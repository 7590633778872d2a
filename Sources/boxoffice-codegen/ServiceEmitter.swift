/// Writes a service's descriptor namespace, shaped like grpc-swift 2's generated code.
struct ServiceEmitter {
    let index: TypeIndex
    let comments: SourceComments

    func emit(_ service: ServiceDescriptorProto, package: String, path: [Int32], into out: inout CodeWriter) {
        let fullName = package.isEmpty ? service.name : package + "." + service.name
        let swiftName = Naming.typePrefix(package: package) + service.name
        out.doc(comments[path] ?? "The service `\(fullName)`.")
        out.block("public enum \(swiftName)") { out in
            out.doc("`\(fullName)` and its methods, in declaration order.")
            out.line("public static let descriptor = ServiceDescriptor(")
            out.line("    fullName: \"\(fullName)\",")
            out.line("    methods: [" + service.method.map { "Method.\($0.name).descriptor" }.joined(separator: ", ") + "]")
            out.line(")")
            out.line()
            out.doc("One namespace per method: its input, output and descriptor.")
            out.block("public enum Method") { out in
                for (position, method) in service.method.enumerated() {
                    if position > 0 { out.line() }
                    let kind = switch (method.clientStreaming, method.serverStreaming) {
                    case (false, false): "unary"
                    case (false, true): "serverStreaming"
                    case (true, false): "clientStreaming"
                    case (true, true): "bidirectionalStreaming"
                    }
                    let input = index.resolve(method.inputType)
                    let output = index.resolve(method.outputType)
                    out.doc(comments[path + [2, Int32(position)]] ?? "The method `\(fullName)/\(method.name)`.")
                    out.block("public enum \(method.name)") { out in
                        out.doc("The request message.")
                        out.line("public typealias Input = \(input.swiftName)")
                        out.doc("The response message.")
                        out.line("public typealias Output = \(output.swiftName)")
                        out.doc("`/\(fullName)/\(method.name)`, \(kind).")
                        out.line("public static let descriptor = MethodDescriptor(")
                        out.line("    service: \"\(fullName)\", method: \"\(method.name)\", kind: .\(kind),")
                        out.line("    inputType: \"\(input.fullName)\", outputType: \"\(output.fullName)\"")
                        out.line(")")
                    }
                }
            }
        }
    }
}
