/// A prepared statement's name on one connection (`bo<n>`), with its C string made once.
///
/// libpq takes the name as `const char *` on every execute; a Swift string that short is stored
/// inline, and passing it to C copies it into a new array each time (one allocation per statement).
struct PreparedStatementName: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The name as SQL sees it.
    let text: String
    private let cString: ContiguousArray<CChar>

    init(_ text: String) {
        self.text = text
        self.cString = text.utf8CString
    }

    init(stringLiteral text: String) { self.init(text) }

    var description: String { text }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.text == rhs.text }

    func hash(into hasher: inout Hasher) { hasher.combine(text) }

    /// Calls `body` with the NUL-terminated name, valid only inside it.
    func withCString<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
        cString.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
