/// Asks a freshly connected server whether a service is SERVING (`grpc.health.v1.Health/Check`)
/// before the pool hands the connection to calls.
///
/// The two messages are encoded here by hand (one string field in, one enum field out) because
/// the generated health types live in a module that builds on this one.
enum ConnectionHealthCheck {
    static let path = "/grpc.health.v1.Health/Check"
    /// `HealthCheckResponse.ServingStatus.SERVING`.
    static let serving = 1

    /// - Throws: ``RPCError`` UNAVAILABLE when the check fails or the status is not SERVING.
    static func check(service: String, on connection: ClientConnection, timeout: Duration) async throws(RPCError) {
        let headers = ClientRequestHead.headers(path: path, authority: connection.endpoint.authority, metadata: [:],
                                                timeout: timeout)
        let body = GRPCMessageFramer.frame(encodeRequest(service: service))
        guard let stream = try await connection.openStream(headers: headers, body: body, endStream: true,
                                                           deadline: .now + timeout) else {
            throw RPCError(code: .unavailable, message: "health check could not start on \(connection.endpoint)")
        }
        var status: Int?
        do {
            for try await part in stream.responses {
                if case .message(let bytes) = part { status = decodeStatus(bytes) }
            }
        } catch {
            throw RPCError(code: .unavailable, message: "health check of \(connection.endpoint) failed: \(error)", cause: error)
        }
        guard status == serving else {
            throw RPCError(code: .unavailable,
                           message: "\(connection.endpoint) reports '\(service)' as \(status.map(String.init) ?? "unknown"), not SERVING")
        }
    }

    /// `HealthCheckRequest { string service = 1; }`.
    static func encodeRequest(service: String) -> [UInt8] {
        let bytes = Array(service.utf8)
        guard !bytes.isEmpty else { return [] }
        return [0x0a] + varint(UInt64(bytes.count)) + bytes
    }

    /// `HealthCheckResponse { ServingStatus status = 1; }`; unknown fields are skipped.
    static func decodeStatus(_ bytes: [UInt8]) -> Int? {
        var index = 0
        var status = 0  // proto3 default: UNKNOWN
        while index < bytes.count {
            guard let key = readVarint(bytes, &index) else { return nil }
            switch key & 7 {
            case 0:
                guard let value = readVarint(bytes, &index) else { return nil }
                if key >> 3 == 1 { status = Int(truncatingIfNeeded: value) }
            case 1: index += 8
            case 2:
                guard let length = readVarint(bytes, &index), length <= UInt64(bytes.count - index) else { return nil }
                index += Int(length)
            case 5: index += 4
            default: return nil
            }
        }
        return index == bytes.count ? status : nil
    }

    private static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
        return out
    }

    private static func readVarint(_ bytes: [UInt8], _ index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
