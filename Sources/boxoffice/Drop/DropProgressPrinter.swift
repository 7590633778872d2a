#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Shows drop progress on standard error: one line rewritten in place on a terminal, a plain line
/// every few seconds otherwise (logs, CI).
struct DropProgressPrinter: Sendable {
    /// Whether standard error is a terminal.
    let isTerminal = isatty(STDERR_FILENO) == 1

    /// How often lines come: often on a terminal, rarely in a log.
    var interval: Duration { isTerminal ? .milliseconds(500) : .seconds(5) }

    func show(_ line: String) {
        let text = isTerminal ? "\r\u{1B}[2K" + line : line + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Ends the in-place line so what follows starts on a fresh one.
    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
