/// A failure of the test harness itself (binary missing, server did not start).
public struct RedisHarnessError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// `RedisHarnessError: <message>`.
    public var description: String { "RedisHarnessError: \(message)" }
}
