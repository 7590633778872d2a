/// Why a byte sequence is not a valid encoding of the expected message.
public struct ProtoDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of problem.
    public enum Kind: Sendable, Hashable {
        case truncated
        case invalidWireType
        case lengthPastEnd
        case varintTooLong
        case invalidUTF8
        case nestingTooDeep
        case messageTooLarge
        case invalidFieldNumber
        case malformed
    }

    /// The class of problem.
    public var kind: Kind
    /// A sentence for humans: which message, which field, which offset.
    public var message: String

    /// Creates an error of `kind` with a human-readable `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
