/// Writes the Swift value type for one message (and, nested in it, its nested types).
struct MessageEmitter {
    let index: TypeIndex
    let comments: SourceComments

    /// Well-known types with a special JSON form.
    enum Special {
        case timestamp, duration, wrapper(ScalarKind)
    }

    func emit(_ message: DescriptorProto, fullName: String, declaredName: String, swiftName: String,
              path: [Int32], into out: inout CodeWriter) {
        let plan = MessagePlan(message: message, fullName: fullName, declaredName: declaredName, swiftName: swiftName,
                               path: path, index: index, comments: comments)
        let special: Special? = switch fullName {
        case "google.protobuf.Timestamp": .timestamp
        case "google.protobuf.Duration": .duration
        default: ScalarKind.wrapped(by: "." + fullName).map { .wrapper($0) }
        }
        var conformances = "ProtoCBackedMessage"
        if case .timestamp = special { conformances += ", ProtoTimestampFields" }
        if case .duration = special { conformances += ", ProtoDurationFields" }

        out.doc(comments[path] ?? "The message `\(fullName)`.")
        out.block("public struct \(declaredName): \(conformances)") { out in
            out.doc("`\(fullName)`")
            out.line("public static let protoFullName = \"\(fullName)\"")
            out.doc("Where protobuf-c keeps this message's fields.")
            out.line("public static let protoCSchema = ProtoCSchema(named: protoFullName)")
            for member in plan.members {
                out.line()
                switch member {
                case .field(let field): declare(field, into: &out)
                case .oneof(let oneof): declare(oneof, into: &out)
                }
            }
            out.line()
            out.doc("A message with every field at its default.")
            out.line("public init() {}")
            for (position, nested) in message.nestedType.enumerated() where !nested.isMapEntry {
                let name = Naming.nestedTypeName(nested.name, suffix: "Message")
                out.line()
                emit(nested, fullName: fullName + "." + nested.name, declaredName: name,
                     swiftName: swiftName + "." + name, path: path + [3, Int32(position)], into: &out)
            }
            for (position, enumeration) in message.enumType.enumerated() {
                out.line()
                EnumEmitter(comments: comments).emit(enumeration, fullName: fullName + "." + enumeration.name,
                                                     declaredName: Naming.nestedTypeName(enumeration.name, suffix: "Enum"),
                                                     path: path + [4, Int32(position)], into: &out)
            }
            out.line()
            emitWriter(plan, into: &out)
            out.line()
            emitReader(plan, into: &out)
            out.line()
            switch special {
            case .timestamp?, .duration?: emitStringJSON(into: &out)
            case .wrapper?: emitWrapperJSON(into: &out)
            case nil: emitJSON(plan, into: &out)
            }
        }
    }

    // MARK: Declarations

    private func fieldDoc(_ field: FieldPlan) -> String {
        let proto = field.field
        var type = ScalarKind.of(type: proto.type)?.protoName ?? String(proto.typeName.dropFirst())
        if case .map(let key, let value) = field.shape {
            type = "map<\(key.protoName), \(mapValueProtoName(value))>"
        } else if proto.isRepeated {
            type = "repeated " + type
        }
        let declaration = "`\(type) \(proto.name) = \(proto.number)`"
        guard let comment = field.comment else { return declaration + "." }
        return comment + "\n\n" + declaration + "."
    }

    private func mapValueProtoName(_ value: ValueShape) -> String {
        switch value {
        case .scalar(let kind): kind.protoName
        case .enumeration(let entry), .message(let entry): entry.fullName
        }
    }

    private func declare(_ field: FieldPlan, into out: inout CodeWriter) {
        out.doc(fieldDoc(field))
        out.line("public var \(Naming.escaped(field.swiftName)): \(field.shape.swiftType) = \(field.shape.defaultValue)")
        if let alias = field.alias {
            out.doc("``\(field.swiftName)`` under its plain lowerCamel (proto3 JSON) spelling.")
            out.line("public var \(Naming.escaped(alias)): \(field.shape.swiftType) {")
            out.line("    get { \(Naming.escaped(field.swiftName)) }")
            out.line("    set { \(Naming.escaped(field.swiftName)) = newValue }")
            out.line("}")
        }
    }

    private func declare(_ oneof: OneofPlan, into out: inout CodeWriter) {
        out.doc(oneof.comment ?? "The oneof `\(oneof.members.first.map { _ in oneof.propertyName } ?? "")`: at most one member is set.")
        out.line("public var \(Naming.escaped(oneof.propertyName)): \(oneof.typeName)? = nil")
        out.line()
        out.doc("The members of ``\(oneof.propertyName)``.")
        let recursive = oneof.members.contains { if case .singular(.message) = $0.shape { true } else { false } }
        out.block("public \(recursive ? "indirect " : "")enum \(oneof.typeName): Sendable, Hashable") { out in
            for member in oneof.members {
                out.doc(fieldDoc(member))
                out.line("case \(Naming.escaped(member.swiftName))(\(member.shape.swiftType.replacingOptional))")
            }
        }
        for member in oneof.members {
            let type = member.shape.swiftType.replacingOptional
            let defaultValue = if case .singular(.scalar(let kind)) = member.shape { kind.defaultValue } else { "\(type)()" }
            let name = Naming.escaped(member.swiftName)
            out.line()
            out.doc("``\(oneof.propertyName)`` as `\(member.field.name)`: its default unless that member is set; setting it selects it.")
            out.block("public var \(name): \(type)") { out in
                out.line("get { if case .\(name)(let value)? = \(Naming.escaped(oneof.propertyName)) { value } else { \(defaultValue) } }")
                out.line("set { \(Naming.escaped(oneof.propertyName)) = .\(name)(newValue) }")
            }
        }
    }

    // MARK: Binary (protobuf-c)

    private func emitWriter(_ plan: MessagePlan, into out: inout CodeWriter) {
        out.doc("Sets the non-default fields on a protobuf-c struct (used by `serializedBytes()`).")
        let body = plan.members.isEmpty
        out.block("public func writeFields(to \(body ? "_" : "writer"): inout ProtoStructWriter)") { out in
            for member in plan.members {
                switch member {
                case .field(let field):
                    writeStatement(field, into: &out)
                case .oneof(let oneof):
                    out.switchBlock("switch \(Naming.escaped(oneof.propertyName))") { out in
                        for member in oneof.members {
                            out.line("case .\(Naming.escaped(member.swiftName))(let value)?:")
                            if case .singular(let value) = member.shape {
                                out.line("    " + writeValue(value, number: member.number, value: "value", writer: "writer"))
                            }
                        }
                        out.line("case nil:")
                        out.line("    break")
                    }
                }
            }
        }
    }

    private func writeValue(_ shape: ValueShape, number: Int32, value: String, writer: String) -> String {
        switch shape {
        case .scalar: "\(writer).write(\(number), \(value))"
        case .enumeration: "\(writer).writeEnum(\(number), \(value).rawValue)"
        case .message: "\(writer).writeMessage(\(number)) { \(value).writeFields(to: &$0) }"
        }
    }

    private func writeStatement(_ field: FieldPlan, into out: inout CodeWriter) {
        let name = "self." + field.swiftName
        let number = field.number
        switch field.shape {
        case .singular(.scalar(let kind)):
            out.line("if \(kind.isSet(name)) { writer.write(\(number), \(name)) }")
        case .singular(.enumeration):
            out.line("if \(name).rawValue != 0 { writer.writeEnum(\(number), \(name).rawValue) }")
        case .singular(.message):
            out.line("if let value = \(name) { writer.writeMessage(\(number)) { value.writeFields(to: &$0) } }")
        case .wrapper:
            out.line("if let value = \(name) { writer.writeMessage(\(number)) { $0.write(1, value) } }")
        case .repeated(.scalar):
            out.line("writer.writeRepeated(\(number), \(name))")
        case .repeated(.enumeration):
            out.line("writer.writeRepeated(\(number), \(name).map(\\.rawValue))")
        case .repeated(.message):
            out.line("writer.writeRepeatedMessages(\(number), count: \(name).count) { \(name)[$0].writeFields(to: &$1) }")
        case .map(_, let value):
            let entries = field.swiftName + "Entries"
            out.line("let \(entries) = ProtoJSON.sortedEntries(\(name))")
            out.block("writer.writeRepeatedMessages(\(number), count: \(entries).count)", closure: "index, entry") { out in
                out.line("entry.write(1, \(entries)[index].key)")
                out.line(writeValue(value, number: 2, value: "\(entries)[index].value", writer: "entry"))
            }
        }
    }

    private func emitReader(_ plan: MessagePlan, into out: inout CodeWriter) {
        out.doc("Copies every field out of an unpacked protobuf-c struct (used by `init(serializedBytes:)`).")
        let body = plan.members.isEmpty
        out.block("public init(reading \(body ? "_" : "reader"): borrowing ProtoStructReader)") { out in
            for member in plan.members {
                switch member {
                case .field(let field):
                    out.line("self.\(field.swiftName) = " + readExpression(field))
                case .oneof(let oneof):
                    out.switchBlock("switch reader.oneofCase(\(oneof.members[0].number))") { out in
                        for member in oneof.members {
                            guard case .singular(let value) = member.shape else { continue }
                            out.line("case \(member.number):")
                            out.line("    self.\(oneof.propertyName) = .\(Naming.escaped(member.swiftName))(" +
                                     readValue(value, number: member.number, reader: "reader") + ")")
                        }
                        out.line("default:")
                        out.line("    self.\(oneof.propertyName) = nil")
                    }
                }
            }
        }
    }

    /// Reads one present value (messages default when absent, as in a oneof or map entry).
    private func readValue(_ shape: ValueShape, number: Int32, reader: String) -> String {
        switch shape {
        case .scalar(let kind): "\(reader).\(kind.reader)(\(number))"
        case .enumeration(let entry): "\(entry.swiftName)(rawValue: \(reader).enumValue(\(number)))"
        case .message(let entry): "\(reader).message(\(number)) { \(entry.swiftName)(reading: $0) } ?? \(entry.swiftName)()"
        }
    }

    private func readExpression(_ field: FieldPlan) -> String {
        let number = field.number
        switch field.shape {
        case .singular(.message(let entry)):
            return "reader.message(\(number)) { \(entry.swiftName)(reading: $0) }"
        case .singular(let value):
            return readValue(value, number: number, reader: "reader")
        case .wrapper(let kind):
            return "reader.message(\(number)) { $0.\(kind.reader)(1) }"
        case .repeated(.scalar(let kind)):
            return "reader.\(kind.repeatedReader)(\(number))"
        case .repeated(.enumeration(let entry)):
            return "reader.repeatedEnumValues(\(number)).map { \(entry.swiftName)(rawValue: $0) }"
        case .repeated(.message(let entry)):
            return "reader.repeatedMessages(\(number)) { \(entry.swiftName)(reading: $0) }"
        case .map(let key, let value):
            return "Dictionary(reader.repeatedMessages(\(number)) { ($0.\(key.reader)(1), "
                + readValue(value, number: 2, reader: "$0") + ") }, uniquingKeysWith: { $1 })"
        }
    }

    // MARK: JSON

    private func emitJSON(_ plan: MessagePlan, into out: inout CodeWriter) {
        out.doc("Proto3 JSON: lowerCamel names, default values omitted.")
        out.block("public func encode(to encoder: any Encoder) throws") { out in
            guard !plan.members.isEmpty else {
                out.line("_ = encoder.container(keyedBy: ProtoJSONKey.self)")
                return
            }
            out.line("var container = encoder.container(keyedBy: ProtoJSONKey.self)")
            for member in plan.members {
                switch member {
                case .field(let field):
                    let name = "self." + field.swiftName
                    let encode = "try container.encodeProto(\(field.shape.isOptional ? "value" : name), forKey: \"\(field.jsonName)\")"
                    switch field.shape {
                    case .singular(.scalar(let kind)): out.line("if \(kind.isSet(name)) { \(encode) }")
                    case .singular(.enumeration): out.line("if \(name).rawValue != 0 { \(encode) }")
                    case .singular(.message), .wrapper: out.line("if let value = \(name) { \(encode) }")
                    case .repeated, .map: out.line("if !\(name).isEmpty { \(encode) }")
                    }
                case .oneof(let oneof):
                    out.switchBlock("switch self.\(oneof.propertyName)") { out in
                        for member in oneof.members {
                            out.line("case .\(Naming.escaped(member.swiftName))(let value)?:")
                            out.line("    try container.encodeProto(value, forKey: \"\(member.jsonName)\")")
                        }
                        out.line("case nil:")
                        out.line("    break")
                    }
                }
            }
        }
        out.line()
        out.doc("Proto3 JSON: accepts lowerCamel and .proto field names; `null` means default.")
        out.block("public init(from decoder: any Decoder) throws") { out in
            out.line("self.init()")
            out.line("let container = try decoder.container(keyedBy: ProtoJSONKey.self)")
            out.block("for key in container.allKeys") { out in
                out.line("if try container.decodeNil(forKey: key) { continue }")
                out.switchBlock("switch key.stringValue") { out in
                    for member in plan.members {
                        switch member {
                        case .field(let field):
                            out.line("case \(field.jsonKeys):")
                            out.line("    self.\(field.swiftName) = try container.decodeProto(forKey: key)")
                        case .oneof(let oneof):
                            for field in oneof.members {
                                out.line("case \(field.jsonKeys):")
                                out.line("    self.\(oneof.propertyName) = .\(Naming.escaped(field.swiftName))(try container.decodeProto(forKey: key))")
                            }
                        }
                    }
                    out.line("default:")
                    out.line("    throw ProtoJSON.unknownField(key, in: Self.protoFullName, container)")
                }
            }
        }
    }

    /// Timestamp and Duration: a JSON string.
    private func emitStringJSON(into out: inout CodeWriter) {
        out.doc("Proto3 JSON: the well-known type's string form.")
        out.block("public func encode(to encoder: any Encoder) throws") { out in
            out.line("var container = encoder.singleValueContainer()")
            out.line("try container.encode(protoJSONString())")
        }
        out.line()
        out.doc("Proto3 JSON: the well-known type's string form.")
        out.block("public init(from decoder: any Decoder) throws") { out in
            out.line("try self.init(protoJSONString: decoder.singleValueContainer().decode(String.self))")
        }
    }

    /// Wrappers: the bare value.
    private func emitWrapperJSON(into out: inout CodeWriter) {
        out.doc("Proto3 JSON: the wrapped value itself.")
        out.block("public func encode(to encoder: any Encoder) throws") { out in
            out.line("var container = encoder.singleValueContainer()")
            out.line("try container.encodeProto(value)")
        }
        out.line()
        out.doc("Proto3 JSON: the wrapped value itself.")
        out.block("public init(from decoder: any Decoder) throws") { out in
            out.line("self.init()")
            out.line("self.value = try decoder.singleValueContainer().decodeProto()")
        }
    }
}

extension FieldShape {
    /// Whether the Swift property is an optional that JSON encoding unwraps first.
    var isOptional: Bool {
        switch self {
        case .singular(.message), .wrapper: true
        default: false
        }
    }
}

extension String {
    /// `T?` → `T` (oneof cases carry the value itself).
    var replacingOptional: String { hasSuffix("?") ? String(dropLast()) : self }
}
