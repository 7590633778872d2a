/// The comments of one .proto file, by descriptor path (e.g. `[4, 0, 2, 1]` is the second field
/// of the first message).
struct SourceComments {
    private var byPath: [[Int32]: String] = [:]

    init(_ locations: [SourceLocation]) {
        for location in locations {
            let text = [location.leadingComments, location.trailingComments]
                .map { $0.trimmingWhitespace() }
                .filter { !$0.isEmpty }
                .joined(separator: "\n")
            if !text.isEmpty { byPath[location.path] = text }
        }
    }

    /// The comment at `path`, if the .proto has one.
    subscript(path: [Int32]) -> String? { byPath[path] }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
