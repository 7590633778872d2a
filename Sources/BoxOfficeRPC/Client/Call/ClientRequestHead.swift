/// The HEADERS of a gRPC request.
enum ClientRequestHead {
    static let userAgent = "boxoffice-grpc-swift/1.0"

    /// Pseudo-headers first, then the gRPC fields, then the caller's metadata.
    static func headers(path: String, authority: String, metadata: Metadata, timeout: Duration?) -> [HTTP2HeaderField] {
        var headers: [HTTP2HeaderField] = [
            HTTP2HeaderField(":method", "POST"),
            HTTP2HeaderField(":scheme", "http"),
            HTTP2HeaderField(":path", path),
            HTTP2HeaderField(":authority", authority),
            HTTP2HeaderField("content-type", GRPCContentType.grpcProto),
            HTTP2HeaderField("te", "trailers"),
            HTTP2HeaderField("user-agent", userAgent),
        ]
        if let timeout { headers.append(HTTP2HeaderField("grpc-timeout", GRPCTimeout(timeout).headerValue)) }
        headers.reserveCapacity(headers.count + metadata.count)
        for (name, value) in metadata.headerFields() where name != "user-agent" {
            headers.append(HTTP2HeaderField(name, value))
        }
        return headers
    }
}
