/// Why an inventory operation was refused or failed, with the gRPC status it maps onto.
///
/// Shaped like grpc-swift's `RuntimeError`: an extensible ``Code`` and a message that says what was
/// wrong in words a caller can act on. The gRPC service layer sends ``Code/grpcStatusCode`` and
/// ``message`` as `grpc-status` / `grpc-message`.
public struct InventoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; each maps onto one canonical gRPC status code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The canonical gRPC status code (`grpc-status`).
        public let grpcStatusCode: Int
        private let name: String

        private init(_ name: String, _ grpcStatusCode: Int) {
            self.name = name
            self.grpcStatusCode = grpcStatusCode
        }

        /// Malformed input: bad seat map, duplicate seat ids, quantity out of range, TTL out of bounds.
        public static let invalidArgument = Code("invalidArgument", 3)
        /// An event, seat, section, tier, pool or hold that does not exist.
        public static let notFound = Code("notFound", 5)
        /// Something that already exists with different content (e.g. an idempotency key reused
        /// for a different request).
        public static let alreadyExists = Code("alreadyExists", 6)
        /// Sold out, not enough adjacent seats, a seat already taken, or the holder's cap reached.
        public static let resourceExhausted = Code("resourceExhausted", 8)
        /// The request is well formed but the state forbids it: sale not started, hold expired,
        /// wrong holder, hold already released.
        public static let failedPrecondition = Code("failedPrecondition", 9)
        /// A concurrent change won; retrying may succeed.
        public static let aborted = Code("aborted", 10)
        /// A broken invariant inside the service (should never happen).
        public static let internalError = Code("internalError", 13)
        /// A store the decision needs (Redis, PostgreSQL) cannot be reached; nothing was decided.
        public static let unavailable = Code("unavailable", 14)

        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What was wrong, for people.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "InventoryError.\(code): \(message)" }

    /// Malformed input.
    public static func invalidArgument(_ message: String) -> Self { Self(.invalidArgument, message) }
    /// Something that does not exist.
    public static func notFound(_ message: String) -> Self { Self(.notFound, message) }
    /// A conflicting duplicate.
    public static func alreadyExists(_ message: String) -> Self { Self(.alreadyExists, message) }
    /// Sold out or over a cap.
    public static func resourceExhausted(_ message: String) -> Self { Self(.resourceExhausted, message) }
    /// A state that forbids the operation.
    public static func failedPrecondition(_ message: String) -> Self { Self(.failedPrecondition, message) }
    /// A concurrent change won.
    public static func aborted(_ message: String) -> Self { Self(.aborted, message) }
    /// A broken internal invariant.
    public static func internalError(_ message: String) -> Self { Self(.internalError, message) }
    /// A store cannot be reached.
    public static func unavailable(_ message: String) -> Self { Self(.unavailable, message) }
}
