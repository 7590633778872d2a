public import BoxOfficeRPC

extension RPCError {
    /// The metadata key that tells a refused client how long to wait, in whole milliseconds.
    public static let retryAfterMillisecondsKey = "retry-after-ms"

    /// RESOURCE_EXHAUSTED with `retry-after-ms` metadata (rounded up to whole milliseconds).
    ///
    /// - Parameter what: Who was limited, for the message (e.g. `user u-17`).
    public static func rateLimited(retryAfter: Duration, what: String) -> RPCError {
        let parts = retryAfter.components
        let milliseconds = max(0, parts.seconds * 1_000 + (parts.attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        var metadata = Metadata()
        metadata.addString(String(milliseconds), forKey: retryAfterMillisecondsKey)
        return RPCError(code: .resourceExhausted, message: "too many requests from \(what); retry after \(milliseconds) ms",
                        metadata: metadata)
    }
}
