#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging

/// A swift-log handler writing one JSON object per line: `time`, `level`, `label`, `message`,
/// `metadata` (handler, provider and per-call metadata merged; nested values stay nested).
///
/// Each line is written with a single `write(2)`, so lines from concurrent tasks never interleave.
/// The default output is standard error (standard output carries the `LISTENING` lines).
public struct JSONLogHandler: LogHandler {
    /// Where lines go: a file descriptor the handler writes to but never closes.
    public let fileDescriptor: Int32
    /// Names the logger (`label` in each line).
    public let label: String
    /// Entries below this level are dropped.
    public var logLevel: Logger.Level = .info
    /// Metadata on every line of this handler.
    public var metadata: Logger.Metadata = [:]
    /// Metadata computed per entry (e.g. from task-local context).
    public var metadataProvider: Logger.MetadataProvider?

    /// Creates a handler for `label` writing to `fileDescriptor` (standard error by default).
    public init(label: String, fileDescriptor: Int32 = 2, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.fileDescriptor = fileDescriptor
        self.metadataProvider = metadataProvider
    }

    /// One entry of ``metadata``.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line for `event`; an attached error goes in as metadata `error`.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        let text = Self.line(time: Self.timestamp(), level: event.level, label: label, message: "\(event.message)",
                             metadata: merged)
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // a log line that cannot be written is dropped, never a crash
                }
                offset += written
            }
        }
    }

    /// The JSON line (with its trailing newline) for one entry; keys in a fixed order, metadata keys sorted.
    static func line(time: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var out = "{\"time\":"
        JSONText.appendString(time, to: &out)
        out += ",\"level\":"
        JSONText.appendString(level.rawValue, to: &out)
        out += ",\"label\":"
        JSONText.appendString(label, to: &out)
        out += ",\"message\":"
        JSONText.appendString(message, to: &out)
        if !metadata.isEmpty {
            out += ",\"metadata\":"
            JSONText.append(.dictionary(metadata), to: &out)
        }
        out += "}\n"
        return out
    }

    /// Now as RFC 3339 UTC with milliseconds, e.g. `2026-11-29T14:01:20.123Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}

/// JSON text for log values: strings escaped per RFC 8259, metadata as nested objects and arrays.
enum JSONText {
    static func append(_ value: Logger.MetadataValue, to out: inout String) {
        switch value {
        case .string(let string):
            appendString(string, to: &out)
        case .stringConvertible(let convertible):
            appendString(convertible.description, to: &out)
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                append(element, to: &out)
            }
            out += "]"
        case .dictionary(let dictionary):
            out += "{"
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                appendString(key, to: &out)
                out += ":"
                append(dictionary[key]!, to: &out)
            }
            out += "}"
        }
    }

    static func appendString(_ string: String, to out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
