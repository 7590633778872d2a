/// Swift names for protobuf names, following swift-protobuf's conventions so that names
/// can be predicted: `grpc.health.v1` + `HealthCheckRequest` → `Grpc_Health_V1_HealthCheckRequest`,
/// `seat_ids` → `seatIds`, `hold_id` → `holdID`, `SEAT_STATUS_AVAILABLE` in `SeatStatus` → `available`.
enum Naming {
    /// Words written in capitals when not first ("url", "http", "https", "id").
    static let abbreviations: Set<String> = ["url", "http", "https", "id"]

    static let swiftKeywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
        "inout", "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public",
        "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue",
        "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return",
        "throw", "switch", "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self",
        "super", "throws", "true", "try", "some", "any", "consume", "copy", "borrowing", "consuming",
    ]

    /// Names a nested type cannot have (they mean something else after a dot).
    static let reservedTypeNames: Set<String> = ["Type", "Protocol", "Self", "self"]

    /// The type prefix of a package: `boxoffice.inventory.v1` → `Boxoffice_Inventory_V1_`.
    static func typePrefix(package: String) -> String {
        guard !package.isEmpty else { return "" }
        var prefix = ""
        var upperNext = true
        for char in package {
            switch char {
            case "_": upperNext = true
            case ".": upperNext = true; prefix.append("_")
            default:
                prefix.append(upperNext ? Character(char.uppercased()) : char)
                upperNext = false
            }
        }
        return prefix + "_"
    }

    /// Splits a protobuf identifier into lowercase words at underscores, digit runs and
    /// lower-to-upper transitions (an upper-case run followed by lower case stays one word).
    static func words(_ identifier: String) -> [String] {
        enum Class { case digit, lower, upper, other }
        func classify(_ char: Character) -> Class {
            if char.isASCII, char.isNumber { return .digit }
            if char.isASCII, char.isLowercase { return .lower }
            if char.isASCII, char.isUppercase { return .upper }
            return .other
        }
        var words: [String] = []
        var current = ""
        var last: Class?
        for char in identifier {
            if char == "_" {
                if !current.isEmpty { words.append(current); current = "" }
                last = nil
                continue
            }
            let kind = classify(char)
            let boundary: Bool
            switch kind {
            case .digit: boundary = last != .digit
            case .upper: boundary = last != .upper
            case .lower: boundary = last != .lower && last != .upper
            case .other: boundary = false
            }
            if boundary, !current.isEmpty { words.append(current); current = "" }
            current.append(contentsOf: char.lowercased())
            last = kind
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// `seat_ids` → `seatIds`, `hold_id` → `holdID`, `NOT_SERVING` → `notServing`.
    static func lowerCamel(_ identifier: String) -> String {
        let parts = words(identifier)
        guard let first = parts.first else { return "_" }
        var name = first
        for word in parts.dropFirst() {
            name += abbreviations.contains(word) ? word.uppercased() : word.prefix(1).uppercased() + word.dropFirst()
        }
        if name.first?.isNumber == true { name = "_" + name }
        return name
    }

    /// `message_request` → `MessageRequest`, `hold_id` → `HoldID`.
    static func upperCamel(_ identifier: String) -> String {
        let parts = words(identifier)
        var name = ""
        for word in parts {
            name += abbreviations.contains(word) ? word.uppercased() : word.prefix(1).uppercased() + word.dropFirst()
        }
        if name.first?.isNumber ?? true { name = "_" + name }
        return name
    }

    /// The plain proto3 JSON name: underscores removed, the next letter capitalised.
    static func jsonName(_ identifier: String) -> String {
        var name = ""
        var upperNext = false
        for char in identifier {
            if char == "_" {
                upperNext = true
            } else {
                name.append(upperNext ? Character(char.uppercased()) : char)
                upperNext = false
            }
        }
        return name
    }

    /// An identifier usable as a declaration or member name.
    static func escaped(_ name: String) -> String {
        swiftKeywords.contains(name) ? "`\(name)`" : name
    }

    /// A nested type name that cannot be mistaken for `.Type` and friends.
    static func nestedTypeName(_ name: String, suffix: String) -> String {
        reservedTypeNames.contains(name) ? name + suffix : name
    }

    /// An enum case name: the enum's name stripped from the front of the value's name when the
    /// value starts with it (ignoring case and underscores), then lowerCamel.
    static func enumCaseName(_ valueName: String, enumName: String) -> String {
        let prefix = enumName.lowercased().filter { $0 != "_" }
        var stripped = Substring(valueName)
        var matched = 0
        var index = valueName.startIndex
        let prefixChars = Array(prefix)
        while index < valueName.endIndex, matched < prefixChars.count {
            let char = valueName[index]
            if char == "_" { index = valueName.index(after: index); continue }
            guard Character(char.lowercased()) == prefixChars[matched] else { break }
            matched += 1
            index = valueName.index(after: index)
        }
        if matched == prefixChars.count {
            while index < valueName.endIndex, valueName[index] == "_" { index = valueName.index(after: index) }
            let rest = valueName[index...]
            if let first = rest.first, !first.isNumber { stripped = rest }
        }
        let name = lowerCamel(String(stripped))
        return name == "unrecognized" ? "unrecognized_" : name
    }
}
