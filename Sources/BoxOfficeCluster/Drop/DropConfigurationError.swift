/// A drop setting that cannot work, with a message saying what to change.
public struct DropConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
