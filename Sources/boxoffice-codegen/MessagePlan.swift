/// One field of a message as the emitters need it.
struct FieldPlan {
    var field: FieldDescriptorProto
    /// Stored property (or oneof case) name, e.g. `holdID`.
    var swiftName: String
    /// The plain lowerCamel spelling when it differs from `swiftName` only by case
    /// (`holdId` for `holdID`), offered as an alias.
    var alias: String?
    /// Proto3 JSON name, e.g. `holdId`.
    var jsonName: String
    var shape: FieldShape
    var comment: String?
    var number: Int32 { field.number }

    /// The JSON keys accepted on input: the JSON name and the .proto name.
    var jsonKeys: String {
        jsonName == field.name ? "\"\(jsonName)\"" : "\"\(jsonName)\", \"\(field.name)\""
    }
}

/// A oneof: a Swift enum type and an optional property of it.
struct OneofPlan {
    var propertyName: String
    var typeName: String
    var members: [FieldPlan]
    var comment: String?
}

/// The members of a message in declaration order.
enum MemberPlan {
    case field(FieldPlan)
    case oneof(OneofPlan)
}

/// What the emitters need to know about one message.
struct MessagePlan {
    var message: DescriptorProto
    var fullName: String
    /// Name as declared (nested types unqualified).
    var declaredName: String
    /// Fully qualified Swift name.
    var swiftName: String
    var path: [Int32]
    var members: [MemberPlan]

    init(message: DescriptorProto, fullName: String, declaredName: String, swiftName: String, path: [Int32],
         index: TypeIndex, comments: SourceComments) {
        self.message = message
        self.fullName = fullName
        self.declaredName = declaredName
        self.swiftName = swiftName
        self.path = path
        let nestedNames = Set(message.nestedType.map(\.name) + message.enumType.map(\.name))
        var members: [MemberPlan] = []
        var oneofSlots: [Int32: Int] = [:]
        let fieldNames = Set(message.field.map { Naming.lowerCamel($0.name) })
        for (position, field) in message.field.enumerated() {
            let swiftName = Naming.lowerCamel(field.name)
            let plain = Naming.jsonName(field.name)
            let alias = plain != swiftName && plain.lowercased() == swiftName.lowercased() && !fieldNames.contains(plain)
                ? plain : nil
            let oneofIndex = field.proto3Optional ? nil : field.oneofIndex
            let plan = FieldPlan(field: field, swiftName: swiftName, alias: alias,
                                 jsonName: field.jsonName.isEmpty ? plain : field.jsonName,
                                 shape: FieldShape.of(field, in: index, oneofMember: oneofIndex != nil),
                                 comment: comments[path + [2, Int32(position)]])
            guard let oneofIndex else {
                members.append(.field(plan))
                continue
            }
            if let slot = oneofSlots[oneofIndex], case .oneof(var oneof) = members[slot] {
                oneof.members.append(plan)
                members[slot] = .oneof(oneof)
            } else {
                let name = message.oneofDecl[Int(oneofIndex)]
                var typeName = Naming.upperCamel(name)
                if nestedNames.contains(typeName) || Naming.reservedTypeNames.contains(typeName) {
                    typeName = "OneOf_" + typeName
                }
                oneofSlots[oneofIndex] = members.count
                members.append(.oneof(OneofPlan(propertyName: Naming.lowerCamel(name), typeName: typeName,
                                                members: [plan], comment: comments[path + [8, oneofIndex]])))
            }
        }
        self.members = members
    }

    /// Every field, oneof members included, in declaration order.
    var allFields: [FieldPlan] {
        members.flatMap { member -> [FieldPlan] in
            switch member {
            case .field(let field): [field]
            case .oneof(let oneof): oneof.members
            }
        }
    }
}
