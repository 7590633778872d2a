/// An error from the PostgreSQL client: a server error with its SQLSTATE, or a client-side failure.
///
/// Server errors keep every diagnostic field libpq reports (SQLSTATE, message, detail, hint,
/// constraint), so callers can branch on ``sqlState`` (e.g. `23505` unique violation) without
/// parsing messages.
public struct PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case connectionFailed, connectionClosed, server, decoding, poolTimeout, closed
            case migration, protocolViolation, invalidArgument
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The server could not be reached or refused the connection (down, wrong password, no database).
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection broke while in use (server restarted, killed, network gone).
        /// Whether an in-flight statement committed is unknown.
        public static let connectionClosed = Code(.connectionClosed)
        /// The server answered with an error; see ``PostgresError/sqlState``.
        public static let server = Code(.server)
        /// A column could not be decoded into the requested Swift type.
        public static let decoding = Code(.decoding)
        /// No connection became available before the pool's acquire timeout.
        public static let poolTimeout = Code(.poolTimeout)
        /// The client or connection was already shut down.
        public static let closed = Code(.closed)
        /// Migrations could not be applied or the database holds migrations this binary does not know.
        public static let migration = Code(.migration)
        /// libpq reported results in an order the pipeline did not expect.
        public static let protocolViolation = Code(.protocolViolation)
        /// The caller passed something unusable (e.g. an empty batch or a bad channel name).
        public static let invalidArgument = Code(.invalidArgument)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// The primary, human-readable message.
    public var message: String
    /// The five-character SQLSTATE for server errors (`40001`, `23505`, …), else `nil`.
    public var sqlState: String?
    /// The server's DETAIL field, if any.
    public var detail: String?
    /// The server's HINT field, if any.
    public var hint: String?
    /// The violated constraint's name, if any.
    public var constraint: String?

    /// Creates an error; libraries normally receive these rather than build them.
    public init(
        code: Code, message: String, sqlState: String? = nil, detail: String? = nil,
        hint: String? = nil, constraint: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
    }

    /// True for serialization failures (`40001`) and deadlocks (`40P01`): the transaction may succeed if retried.
    public var isTransactionRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// True when the connection that produced this error can no longer be used.
    public var isConnectionLost: Bool { code == .connectionClosed || code == .connectionFailed }

    public var description: String {
        var text = "PostgresError(\(code)"
        if let sqlState { text += " \(sqlState)" }
        text += "): \(message)"
        if let detail { text += " DETAIL: \(detail)" }
        if let hint { text += " HINT: \(hint)" }
        return text
    }
}
