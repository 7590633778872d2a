/// Limits applied while decoding untrusted bytes.
public struct ProtoDecodingOptions: Sendable, Hashable {
    /// Most levels of message nesting; the top-level message is level 1.
    public var maxDepth: Int
    /// Most bytes one encoded message may have.
    public var maxMessageBytes: Int

    /// 100 levels (as the reference runtimes) and 4 MiB (gRPC's default message limit).
    public static let `default` = ProtoDecodingOptions(maxDepth: 100, maxMessageBytes: 4 * 1024 * 1024)

    /// Creates limits.
    public init(maxDepth: Int, maxMessageBytes: Int) {
        self.maxDepth = maxDepth
        self.maxMessageBytes = maxMessageBytes
    }
}
