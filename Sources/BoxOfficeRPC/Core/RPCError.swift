/// An error that ends an RPC with a gRPC status other than OK.
///
/// Mirrors grpc-swift-2's `RPCError`: a ``Code``, a human-readable message, metadata that travels
/// in the trailers, and an optional underlying cause that never leaves the process.
public struct RPCError: Error, Sendable, CustomStringConvertible {
    /// The gRPC status code.
    public var code: Code
    /// A human-readable message, sent percent-encoded as `grpc-message`.
    public var message: String
    /// Metadata sent in the trailers alongside the status.
    public var metadata: Metadata
    /// The underlying error, if any; kept local, never serialized.
    public var cause: (any Error)?

    /// Creates an error with the given code and message.
    public init(code: Code, message: String, metadata: Metadata = [:], cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.metadata = metadata
        self.cause = cause
    }

    public var description: String {
        var text = "\(code): \"\(message)\""
        if let cause { text += " (cause: \(cause))" }
        return text
    }
}

extension RPCError {
    /// A gRPC status code: the 17 canonical codes of `grpc/doc/statuscodes.md`.
    ///
    /// A struct, not an enum, so that codes received from a peer outside 0…16 survive a round trip
    /// (they are treated as ``unknown`` by ``isKnown`` callers) and new codes never break a `switch`.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The numeric value sent in `grpc-status`.
        public var rawValue: Int

        /// Wraps a raw status value; any integer is accepted.
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Not an error; returned on success.
        public static let ok = Code(rawValue: 0)
        /// The operation was cancelled, typically by the caller.
        public static let cancelled = Code(rawValue: 1)
        /// Unknown error, e.g. a handler threw an error that is not an ``RPCError``.
        public static let unknown = Code(rawValue: 2)
        /// The client specified an invalid argument.
        public static let invalidArgument = Code(rawValue: 3)
        /// The deadline expired before the operation could complete.
        public static let deadlineExceeded = Code(rawValue: 4)
        /// Some requested entity was not found.
        public static let notFound = Code(rawValue: 5)
        /// The entity that a client attempted to create already exists.
        public static let alreadyExists = Code(rawValue: 6)
        /// The caller does not have permission to execute the operation.
        public static let permissionDenied = Code(rawValue: 7)
        /// Some resource has been exhausted (quota, message size, …).
        public static let resourceExhausted = Code(rawValue: 8)
        /// The system is not in a state required for the operation's execution.
        public static let failedPrecondition = Code(rawValue: 9)
        /// The operation was aborted, typically due to a concurrency issue.
        public static let aborted = Code(rawValue: 10)
        /// The operation was attempted past the valid range.
        public static let outOfRange = Code(rawValue: 11)
        /// The operation is not implemented or not supported.
        public static let unimplemented = Code(rawValue: 12)
        /// An internal invariant was broken.
        public static let `internal` = Code(rawValue: 13)
        /// The service is currently unavailable; retrying may succeed.
        public static let unavailable = Code(rawValue: 14)
        /// Unrecoverable data loss or corruption.
        public static let dataLoss = Code(rawValue: 15)
        /// The request does not have valid authentication credentials.
        public static let unauthenticated = Code(rawValue: 16)

        /// Every canonical code, in numeric order.
        public static let allCanonical: [Code] = (0...16).map { Code(rawValue: $0) }

        /// Whether the value is one of the 17 canonical codes.
        public var isCanonical: Bool { (0...16).contains(rawValue) }

        /// Parses a `grpc-status` header value: decimal digits only, at most 10 of them.
        public init?(headerValue: some StringProtocol) {
            guard !headerValue.isEmpty, headerValue.utf8.count <= 10,
                  headerValue.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let value = Int(headerValue) else { return nil }
            self.rawValue = value
        }

        /// The decimal form sent in `grpc-status`.
        public var headerValue: String { String(rawValue) }

        public var description: String {
            switch rawValue {
            case 0: "ok"
            case 1: "cancelled"
            case 2: "unknown"
            case 3: "invalidArgument"
            case 4: "deadlineExceeded"
            case 5: "notFound"
            case 6: "alreadyExists"
            case 7: "permissionDenied"
            case 8: "resourceExhausted"
            case 9: "failedPrecondition"
            case 10: "aborted"
            case 11: "outOfRange"
            case 12: "unimplemented"
            case 13: "internal"
            case 14: "unavailable"
            case 15: "dataLoss"
            case 16: "unauthenticated"
            default: "code(\(rawValue))"
            }
        }
    }
}

/// The outcome of an RPC as carried in the trailers: a code and a message.
public struct Status: Sendable, Hashable, CustomStringConvertible {
    /// The gRPC status code; ``RPCError/Code/ok`` on success.
    public var code: RPCError.Code
    /// The human-readable message (already percent-decoded).
    public var message: String

    /// Creates a status.
    public init(code: RPCError.Code, message: String = "") {
        self.code = code
        self.message = message
    }

    /// The OK status with an empty message.
    public static let ok = Status(code: .ok)

    /// Reads a status from the `grpc-status` and `grpc-message` header values.
    ///
    /// Returns nil when `grpc-status` is missing or not a number; the message is percent-decoded.
    public init?(statusHeader: String?, messageHeader: String?) {
        guard let statusHeader, let code = RPCError.Code(headerValue: statusHeader) else { return nil }
        self.code = code
        self.message = messageHeader.map(GRPCStatusMessage.decode) ?? ""
    }

    public var description: String { message.isEmpty ? "\(code)" : "\(code): \(message)" }
}

extension RPCError {
    /// Creates an error from a non-OK status and the trailing metadata; nil when the status is OK.
    public init?(status: Status, metadata: Metadata = [:]) {
        guard status.code != .ok else { return nil }
        self.init(code: status.code, message: status.message, metadata: metadata)
    }

    /// The status this error is sent as.
    public var status: Status { Status(code: code, message: message) }
}
