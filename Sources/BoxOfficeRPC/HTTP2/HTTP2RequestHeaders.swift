#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A request's header block, sorted field by field as nghttp2 reports it.
///
/// The fields the gRPC layer reads (`:method`, `:path`, `content-type`, `grpc-timeout`,
/// `grpc-encoding`) are recognised by comparing bytes, so no string is built for a well-known
/// name; other pseudo-headers and the reserved names of ``Metadata/reservedHeaderNames`` are
/// dropped; every other field goes straight into the request's ``Metadata`` (no intermediate list).
package struct HTTP2RequestHeaders: Sendable, Equatable {
    /// What the `content-type` field said.
    package enum ContentType: Sendable, Equatable {
        /// No `content-type` field.
        case missing
        /// A gRPC content type (``GRPCContentType/isGRPC(_:)``).
        case grpc
        /// Anything else, kept for the error message.
        case other(String)
    }

    /// Whether `:method` was `POST`.
    package var isPOST = false
    /// The `:path`, empty when missing.
    package var path = ""
    /// The `:path`'s index among the interner's known paths (nil for any other path), so the
    /// server finds the method without hashing the path.
    package var route: Int?
    /// The `content-type`.
    package var contentType = ContentType.missing
    /// The raw `grpc-timeout` value.
    package var timeout: String?
    /// The raw `grpc-encoding` value.
    package var encoding: String?
    /// The request metadata: every field not read above and not reserved, in arrival order.
    package var metadata = Metadata()
    /// The first metadata key whose `-bin` value was not valid base64 (the call is refused); its
    /// value is left out of ``metadata``.
    package var invalidBinaryMetadataKey: String?

    /// An empty block.
    package init() {}

    /// A block built from complete fields (tests and tools; the session adds bytes directly).
    package init(fields: [HTTP2HeaderField]) {
        let paths = HTTP2PathInterner(knownPaths: [])
        for field in fields {
            var name = field.name
            var value = field.value
            name.withUTF8 { name in
                value.withUTF8 { value in
                    add(name: UnsafeRawBufferPointer(name), value: UnsafeRawBufferPointer(value), paths: paths)
                }
            }
        }
    }

    /// Sorts one received field into the block.
    package mutating func add(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                              paths: HTTP2PathInterner) {
        if name.first == UInt8(ascii: ":") {
            if Self.matches(name, ":method") {
                isPOST = Self.matches(value, "POST")
            } else if Self.matches(name, ":path") {
                (path, route) = paths.resolve(value)
            }
            return
        }
        if Self.matches(name, "content-type") {
            if Self.matches(value, "application/grpc") {
                contentType = .grpc
            } else {
                let string = String(decoding: value, as: UTF8.self)
                contentType = GRPCContentType.isGRPC(string) ? .grpc : .other(string)
            }
        } else if Self.matches(name, "grpc-timeout") {
            timeout = String(decoding: value, as: UTF8.self)
        } else if Self.matches(name, "grpc-encoding") {
            encoding = String(decoding: value, as: UTF8.self)
        } else if !Self.reservedNames.contains(where: { Self.matches(name, $0) }) {
            let key = String(decoding: name, as: UTF8.self)
            do {
                try metadata.appendReceived(name: key, value: String(decoding: value, as: UTF8.self),
                                            isBinary: Self.hasBinarySuffix(name))
            } catch {
                if invalidBinaryMetadataKey == nil { invalidBinaryMetadataKey = key }
            }
        }
    }

    /// ``Metadata/reservedHeaderNames`` except the three read above (a test checks they agree).
    static let reservedNames: [StaticString] = [
        "te", "grpc-accept-encoding", "grpc-status", "grpc-message", "content-length", "connection", "host",
        "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
    ]

    /// Whether a field name ends in `-bin`.
    static func hasBinarySuffix(_ name: UnsafeRawBufferPointer) -> Bool {
        name.count >= 4 && memcmp(name.baseAddress! + (name.count - 4), "-bin", 4) == 0
    }

    @inline(__always)
    static func matches(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        bytes.count == literal.utf8CodeUnitCount && memcmp(bytes.baseAddress!, literal.utf8Start, bytes.count) == 0
    }
}

/// Turns `:path` bytes into the router's own `String` for known paths, so a routed call builds
/// no string for its path, along with the path's index (its route). Unknown paths get a fresh
/// string each time (nothing is learned from the client, so a client cannot grow it).
package struct HTTP2PathInterner: Sendable {
    private let knownPaths: [(bytes: [UInt8], string: String)]

    /// - Parameter knownPaths: the routable paths; route `i` is `knownPaths[i]`.
    package init(knownPaths: [String]) {
        self.knownPaths = knownPaths.map { (Array($0.utf8), $0) }
    }

    /// The path for `bytes`, and its route (nil when it is not a known path).
    package func resolve(_ bytes: UnsafeRawBufferPointer) -> (path: String, route: Int?) {
        for (route, path) in knownPaths.enumerated() where path.bytes.count == bytes.count {
            let equal = path.bytes.withUnsafeBytes { known in
                bytes.count == 0 || memcmp(known.baseAddress!, bytes.baseAddress!, bytes.count) == 0
            }
            if equal { return (path.string, route) }
        }
        return (String(decoding: bytes, as: UTF8.self), nil)
    }
}
