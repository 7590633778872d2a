import Foundation

/// Runs a short system command (`ip`, `nft`) to completion, off the concurrency pool.
enum ExternalCommand {
    struct Failure: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var output: String
        var description: String { "`\(command)` exited with \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines))" }
    }

    /// Runs `executable arguments…`; returns its output, throws ``Failure`` on a non-zero exit.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard status == 0 else {
            throw Failure(command: ([executable] + arguments).joined(separator: " "), status: status, output: output)
        }
        return output
    }
}
