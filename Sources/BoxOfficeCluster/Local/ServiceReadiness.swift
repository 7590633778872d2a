internal import Foundation
import BoxOfficeAPI
import BoxOfficeRPC

/// Reads a service's log for the `LISTENING <port>` / `METRICS <port>` lines it prints, from the
/// offset where the current process started writing.
struct ServiceLogScanner {
    let path: String
    private var offset: UInt64
    private var partial = ""

    init(path: String) {
        self.path = path
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value
        self.offset = size ?? 0
    }

    /// The `LISTENING`/`METRICS` ports printed since the last scan.
    mutating func scan() -> (listening: Int?, metrics: Int?) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return (nil, nil) }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd(), !data.isEmpty else {
            return (nil, nil)
        }
        offset += UInt64(data.count)
        let text = partial + String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        partial = String(lines.removeLast())
        var found: (listening: Int?, metrics: Int?) = (nil, nil)
        for line in lines {
            if line.hasPrefix("LISTENING "), let port = Int(line.dropFirst("LISTENING ".count)) { found.listening = port }
            if line.hasPrefix("METRICS "), let port = Int(line.dropFirst("METRICS ".count)) { found.metrics = port }
        }
        return found
    }

    /// The last `bytes` of the log, for error messages.
    static func tail(_ path: String, bytes: Int = 2000) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
        return String(text.suffix(bytes))
    }
}

/// Asks a server's `grpc.health.v1.Health` whether it is SERVING.
enum HealthProbe {
    /// True when `Check("")` at `endpoint` answers SERVING within a second.
    static func isServing(_ endpoint: ClientEndpoint) async -> Bool {
        let channel = GRPCChannel(host: endpoint.host, port: endpoint.port)
        let health = Grpc_Health_V1_Health.Client(wrapping: GRPCClient(channel: channel))
        let response = try? await health.check(Grpc_Health_V1_HealthCheckRequest(), options: CallOptions(timeout: .seconds(1)))
        await channel.close()
        return response?.status == .serving
    }
}
