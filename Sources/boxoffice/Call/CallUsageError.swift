/// A `boxoffice call` that cannot be made as given: unknown service or method, malformed JSON, a
/// bad flag value. Reported with what was wrong, exit code 2; nothing is sent.
struct CallUsageError: Error, CustomStringConvertible {
    /// What was wrong and, where it helps, what would be right.
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
