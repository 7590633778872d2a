extension Optional {
    /// The value, leaving nil behind (so the caller holds the only reference).
    @inline(__always)
    mutating func take() -> Wrapped? {
        defer { self = nil }
        return self
    }
}
