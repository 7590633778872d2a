/// Writes the Swift enum for one proto enum, with `unrecognized(Int32)` for unknown values.
struct EnumEmitter {
    let comments: SourceComments

    func emit(_ enumeration: EnumDescriptorProto, fullName: String, declaredName: String, path: [Int32],
              into out: inout CodeWriter) {
        var seenCases: Set<String> = []
        let cases: [(name: String, value: EnumDescriptorProto.EnumValue, position: Int)] =
            enumeration.value.enumerated().compactMap { position, value in
                let name = Naming.enumCaseName(value.name, enumName: enumeration.name)
                guard seenCases.insert(name).inserted else { return nil }
                return (name, value, position)
            }
        var seenNumbers: Set<Int32> = []
        let primary = cases.filter { seenNumbers.insert($0.value.number).inserted }
        let zero = primary.first { $0.value.number == 0 } ?? primary[0]

        out.doc(comments[path] ?? "The enum `\(fullName)`.")
        out.block("public enum \(declaredName): ProtoEnum") { out in
            for entry in cases {
                let declaration = "`\(entry.value.name) = \(entry.value.number)`."
                out.doc(comments[path + [2, Int32(entry.position)]].map { $0 + "\n\n" + declaration } ?? declaration)
                out.line("case \(Naming.escaped(entry.name))")
            }
            out.doc("A value this build does not know; kept so that it survives a round trip.")
            out.line("case unrecognized(Int32)")
            out.line()
            out.doc("The proto3 default, `\(zero.value.name)`.")
            out.line("public init() { self = .\(Naming.escaped(zero.name)) }")
            out.line()
            out.doc("The case for a wire number.")
            out.block("public init(rawValue: Int32)") { out in
                out.switchBlock("switch rawValue") { out in
                    for entry in primary {
                        out.line("case \(entry.value.number): self = .\(Naming.escaped(entry.name))")
                    }
                    out.line("default: self = .unrecognized(rawValue)")
                }
            }
            out.line()
            out.doc("The wire number.")
            out.block("public var rawValue: Int32") { out in
                out.switchBlock("switch self") { out in
                    for entry in cases {
                        out.line("case .\(Naming.escaped(entry.name)): \(entry.value.number)")
                    }
                    out.line("case .unrecognized(let value): value")
                }
            }
            out.line()
            out.doc("The case named `protoName` in the .proto.")
            out.block("public init?(protoName: String)") { out in
                out.switchBlock("switch protoName") { out in
                    for entry in cases {
                        out.line("case \"\(entry.value.name)\": self = .\(Naming.escaped(entry.name))")
                    }
                    out.line("default: return nil")
                }
            }
            out.line()
            out.doc("The name in the .proto; nil when unrecognized.")
            out.block("public var protoName: String?") { out in
                out.switchBlock("switch self") { out in
                    for entry in cases {
                        out.line("case .\(Naming.escaped(entry.name)): \"\(entry.value.name)\"")
                    }
                    out.line("case .unrecognized: nil")
                }
            }
            out.line()
            out.doc("Every named case, in .proto order.")
            out.line("public static let knownCases: [Self] = [" + cases.map { "." + Naming.escaped($0.name) }.joined(separator: ", ") + "]")
            out.line()
            out.doc("Proto3 JSON: the value name (a number when unrecognized).")
            out.line("public func encode(to encoder: any Encoder) throws { try encodeProtoJSON(to: encoder) }")
            out.line()
            out.doc("Proto3 JSON: a value name or a number.")
            out.line("public init(from decoder: any Decoder) throws { try self.init(protoJSONFrom: decoder) }")
        }
    }
}
