/// Accumulates Swift source with indentation.
struct CodeWriter {
    private(set) var text = ""
    private var indentation = ""

    /// Appends one line (or a blank line) at the current indentation.
    mutating func line(_ content: String = "") {
        text += content.isEmpty ? "\n" : indentation + content + "\n"
    }

    /// Appends `/// ` lines for `comment` (one per line of it).
    mutating func doc(_ comment: String) {
        for part in comment.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = part.hasPrefix(" ") ? String(part.dropFirst()) : String(part)
            line(trimmed.isEmpty ? "///" : "/// " + trimmed)
        }
    }

    /// `switch … {`, the cases at the same indentation (Swift style), `}`.
    mutating func switchBlock(_ opener: String, _ body: (inout CodeWriter) -> Void) {
        line(opener + " {")
        body(&self)
        line("}")
    }

    /// `opener {`, the body indented, `}`.
    mutating func block(_ opener: String, closure parameters: String? = nil, _ body: (inout CodeWriter) -> Void) {
        line(opener + " {" + (parameters.map { " \($0) in" } ?? ""))
        indentation += "    "
        body(&self)
        indentation.removeLast(4)
        line("}")
    }
}
