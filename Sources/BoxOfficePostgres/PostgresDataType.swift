/// A PostgreSQL type OID, as reported for each result column.
public struct PostgresDataType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The OID from `pg_type`.
    public var rawValue: UInt32
    /// Wraps an OID.
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static let bool = Self(16)
    public static let bytea = Self(17)
    public static let char = Self(18)
    public static let name = Self(19)
    public static let int8 = Self(20)
    public static let int2 = Self(21)
    public static let int4 = Self(23)
    public static let text = Self(25)
    public static let oid = Self(26)
    public static let json = Self(114)
    public static let float4 = Self(700)
    public static let float8 = Self(701)
    public static let unknown = Self(705)
    public static let boolArray = Self(1000)
    public static let int2Array = Self(1005)
    public static let int4Array = Self(1007)
    public static let textArray = Self(1009)
    public static let varcharArray = Self(1015)
    public static let int8Array = Self(1016)
    public static let bpchar = Self(1042)
    public static let varchar = Self(1043)
    public static let timestamp = Self(1114)
    public static let timestamptz = Self(1184)
    public static let uuid = Self(2950)
    public static let jsonb = Self(3802)

    public var description: String { "oid \(rawValue)" }
}
