extension HTTP2HeaderField {
    /// A field from its name (lower-case) and value; the client builds many, so unlabelled.
    init(_ name: String, _ value: String) {
        self.init(name: name, value: value)
    }
}
