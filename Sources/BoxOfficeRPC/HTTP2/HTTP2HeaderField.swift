/// One HTTP/2 header field as received or sent (names are lower-case on the wire).
package struct HTTP2HeaderField: Sendable, Hashable {
    /// The field name, e.g. `:path` or `content-type`.
    package var name: String
    /// The field value.
    package var value: String

    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// HTTP/2 error codes (RFC 9113 §7) used by the server.
package enum HTTP2ErrorCode: UInt32, Sendable {
    case noError = 0x0
    case protocolError = 0x1
    case internalError = 0x2
    case flowControlError = 0x3
    case refusedStream = 0x7
    case cancel = 0x8
    case enhanceYourCalm = 0xB
}
