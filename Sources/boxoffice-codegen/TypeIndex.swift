/// Every message and enum of the descriptor set by fully-qualified name, with its Swift name.
struct TypeIndex {
    enum Kind {
        case message(DescriptorProto)
        case enumeration(EnumDescriptorProto)
    }

    struct Entry {
        /// `boxoffice.inventory.v1.Event` (no leading dot).
        var fullName: String
        /// `Boxoffice_Inventory_V1_Event`, or `Outer.Inner` for nested types.
        var swiftName: String
        var kind: Kind
        /// The import name of the defining file.
        var file: String
    }

    private(set) var entries: [String: Entry] = [:]

    init(files: [FileDescriptorProto]) {
        for file in files {
            let prefix = Naming.typePrefix(package: file.package)
            let scope = file.package.isEmpty ? "" : file.package + "."
            for message in file.messageType {
                add(message, fullName: scope + message.name, swiftName: prefix + message.name, file: file.name)
            }
            for enumeration in file.enumType {
                entries[scope + enumeration.name] = Entry(fullName: scope + enumeration.name,
                                                          swiftName: prefix + enumeration.name,
                                                          kind: .enumeration(enumeration), file: file.name)
            }
        }
    }

    private mutating func add(_ message: DescriptorProto, fullName: String, swiftName: String, file: String) {
        entries[fullName] = Entry(fullName: fullName, swiftName: swiftName, kind: .message(message), file: file)
        for nested in message.nestedType {
            add(nested, fullName: fullName + "." + nested.name,
                swiftName: swiftName + "." + Naming.nestedTypeName(nested.name, suffix: "Message"), file: file)
        }
        for enumeration in message.enumType {
            entries[fullName + "." + enumeration.name] = Entry(
                fullName: fullName + "." + enumeration.name,
                swiftName: swiftName + "." + Naming.nestedTypeName(enumeration.name, suffix: "Enum"),
                kind: .enumeration(enumeration), file: file)
        }
    }

    /// A chain of singular, non-oneof message fields leading from a message back to itself, if
    /// any: such a message would contain itself by value (`T?` inside `T`), which Swift rejects.
    func recursiveChain(from start: String) -> [String]? {
        var visited: Set<String> = []
        func walk(_ name: String, _ chain: [String]) -> [String]? {
            guard case .message(let message)? = entries[name]?.kind else { return nil }
            for field in message.field where !field.isRepeated && field.type == 11 && field.oneofIndex == nil {
                guard ScalarKind.wrapped(by: field.typeName) == nil else { continue }
                let target = String(field.typeName.dropFirst())
                let next = chain + ["\(name).\(field.name)"]
                if target == start { return next }
                if visited.insert(target).inserted, let found = walk(target, next) { return found }
            }
            return nil
        }
        return walk(start, [])
    }

    /// The entry for a field's `type_name` (`.pkg.Message`).
    func resolve(_ typeName: String) -> Entry {
        let key = typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
        guard let entry = entries[key] else { fatalError("boxoffice-codegen: unknown type \(typeName)") }
        return entry
    }
}
