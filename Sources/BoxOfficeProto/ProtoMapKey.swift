/// A map key type: its proto3 JSON object-key form and the order entries are encoded in.
public protocol ProtoMapKey: Hashable, Sendable {
    /// The key as a JSON object key.
    var protoJSONKey: String { get }
    /// The key a JSON object key stands for; nil when malformed.
    init?(protoJSONKey: String)
    /// Whether `self` sorts before `other` (entries are encoded sorted, so bytes are deterministic).
    func protoSorts(before other: Self) -> Bool
}

extension String: ProtoMapKey {
    public var protoJSONKey: String { self }
    public init?(protoJSONKey: String) { self = protoJSONKey }
    public func protoSorts(before other: String) -> Bool { self < other }
}

extension Bool: ProtoMapKey {
    public var protoJSONKey: String { self ? "true" : "false" }
    public init?(protoJSONKey: String) {
        switch protoJSONKey {
        case "true": self = true
        case "false": self = false
        default: return nil
        }
    }
    public func protoSorts(before other: Bool) -> Bool { !self && other }
}

extension Int32: ProtoMapKey {
    public var protoJSONKey: String { String(self) }
    public init?(protoJSONKey: String) { self.init(protoJSONKey) }
    public func protoSorts(before other: Int32) -> Bool { self < other }
}

extension Int64: ProtoMapKey {
    public var protoJSONKey: String { String(self) }
    public init?(protoJSONKey: String) { self.init(protoJSONKey) }
    public func protoSorts(before other: Int64) -> Bool { self < other }
}

extension UInt32: ProtoMapKey {
    public var protoJSONKey: String { String(self) }
    public init?(protoJSONKey: String) { self.init(protoJSONKey) }
    public func protoSorts(before other: UInt32) -> Bool { self < other }
}

extension UInt64: ProtoMapKey {
    public var protoJSONKey: String { String(self) }
    public init?(protoJSONKey: String) { self.init(protoJSONKey) }
    public func protoSorts(before other: UInt64) -> Bool { self < other }
}
