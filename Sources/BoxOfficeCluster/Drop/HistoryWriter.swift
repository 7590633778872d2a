public import Foundation
import Synchronization

/// Appends ``HistoryRecord``s to a JSON-lines file, numbering them in the order they arrive.
///
/// Thread-safe: many shoppers record at once. Lines are buffered and written in chunks; call
/// ``close()`` at the end to write the rest. The file handle is owned here and closed by `close()`.
public final class HistoryWriter: Sendable {
    private struct State: ~Copyable {
        var handle: FileHandle?
        var buffer = Data()
        var nextSeq = 1
        var failure: String?
    }

    private let state: Mutex<State>
    /// The file written.
    public let url: URL
    private static let chunk = 256 * 1024

    /// Creates (or truncates) the file at `url`.
    ///
    /// - Throws: ``HistoryFileError`` when the file cannot be created.
    public init(url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: url) else {
            throw HistoryFileError(message: "cannot create the history file \(url.path)")
        }
        self.url = url
        self.state = Mutex(State(handle: handle))
    }

    /// Numbers `record` and appends it.
    public func append(_ record: HistoryRecord) {
        var record = record
        state.withLock { state in
            guard state.handle != nil else { return }
            record.seq = state.nextSeq
            state.nextSeq += 1
            // A fresh encoder per record: JSONEncoder is not Sendable, and this one never escapes the lock.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            guard let line = try? encoder.encode(record) else { return }
            state.buffer.append(line)
            state.buffer.append(0x0A)
            if state.buffer.count >= Self.chunk { Self.flush(&state) }
        }
    }

    /// Records written so far.
    public var count: Int { state.withLock { $0.nextSeq - 1 } }

    /// Writes what is buffered and closes the file; later appends are dropped.
    ///
    /// - Throws: ``HistoryFileError`` when a write failed (the disk is full, …).
    public func close() throws {
        let failure: String? = state.withLock { state in
            Self.flush(&state)
            try? state.handle?.close()
            state.handle = nil
            return state.failure
        }
        if let failure { throw HistoryFileError(message: "writing the history file \(url.path) failed: \(failure)") }
    }

    private static func flush(_ state: inout State) {
        guard !state.buffer.isEmpty, let handle = state.handle else { return }
        do {
            try handle.write(contentsOf: state.buffer)
        } catch {
            state.failure = state.failure ?? "\(error)"
        }
        state.buffer.removeAll(keepingCapacity: true)
    }
}
