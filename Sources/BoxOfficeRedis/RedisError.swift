/// An error from the Redis client: a server error reply, or a connection problem.
///
/// Shaped like grpc-swift's `RuntimeError`: an extensible ``Code``, a human message and,
/// for server replies, the ``serverError`` with the server's prefix (`NOSCRIPT`, `LOADING`,
/// `WRONGTYPE`, `WRONGPASS`, ...).
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The server answered with an error reply; see ``RedisError/serverError``.
        public static let serverError = Code("serverError")
        /// The TCP connection could not be established (server down, refused, wrong address).
        public static let connectionFailed = Code("connectionFailed")
        /// The connection closed or broke while commands were in flight or queued.
        public static let connectionClosed = Code("connectionClosed")
        /// No connection is usable right now (the client is reconnecting or was shut down).
        public static let notConnected = Code("notConnected")
        /// The server rejected the credentials given for AUTH, or demanded some.
        public static let authenticationFailed = Code("authenticationFailed")
        /// The bytes from the server were not valid RESP, or a reply had the wrong shape for the command.
        public static let protocolViolation = Code("protocolViolation")
        /// A deadline (connect deadline, retry budget) passed.
        public static let timeout = Code("timeout")
        /// A configuration value (URL, option) is invalid.
        public static let invalidConfiguration = Code("invalidConfiguration")

        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, for people.
    public var message: String
    /// The server's error reply, when ``code`` is ``Code/serverError`` or ``Code/authenticationFailed``.
    public var serverError: RedisServerError?

    /// Creates an error.
    public init(code: Code, message: String, serverError: RedisServerError? = nil) {
        self.code = code
        self.message = message
        self.serverError = serverError
    }

    /// Wraps a server error reply.
    public init(_ serverError: RedisServerError) {
        self.init(code: .serverError, message: serverError.description, serverError: serverError)
    }

    /// The server error prefix (`NOSCRIPT`, `LOADING`, ...) when this is a server error.
    public var serverPrefix: String? { serverError?.prefix }

    /// `RedisError.<code>: <message>`.
    public var description: String { "RedisError.\(code): \(message)" }
}
