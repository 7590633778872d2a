public import Foundation

/// A Swift type that can be decoded from a binary-format result column.
///
/// Non-optional types throw on NULL; decode `T?` to accept NULL.
public protocol PostgresDecodable: Sendable {
    /// Decodes `cell`, throwing ``PostgresError`` (code `decoding`) on NULL or a type it cannot read.
    init(postgresCell cell: PostgresCell) throws(PostgresError)
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws(PostgresError) {
        self = cell.bytes == nil ? nil : try Wrapped(postgresCell: cell)
    }
}

/// Big-endian integer reading from a byte slice, with the length checked by the caller.
extension ArraySlice where Element == UInt8 {
    func bigEndianInteger<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        var value = T.zero
        let start = startIndex + offset
        for index in start..<start + MemoryLayout<T>.size {
            value = (value << 8) | T(truncatingIfNeeded: self[index])
        }
        return value
    }
}

extension Int64: PostgresDecodable {
    /// Reads `int2`, `int4` or `int8`.
    public init(postgresCell cell: PostgresCell) throws(PostgresError) {
        if let text = try cell.text(Int64.self) {
            guard let value = Int64(text) else { throw cell.mismatch(Int64.self) }
            self = value
            return
        }
        let bytes = try cell.requireBytes(Int64.self)
        switch (cell.dataType, bytes.count) {
        case (.int8, 8): self = bytes.bigEndianInteger(Int64.self, at: 0)
        case (.int4, 4): self = Int64(bytes.bigEndianInteger(Int32.self, at: 0))
        case (.int2, 2): self = Int64(bytes.bigEndianInteger(Int16.self, at: 0))
        default: throw cell.mismatch(Int64.self)
        }
    }
}

extension Int: PostgresDecodable {
    /// Reads `int2`, `int4` or `int8`.
    public init(postgresCell cell: PostgresCell) throws(PostgresError) {
        self = Int(try Int64(postgresCell: cell))
    }
}

extension Int32: PostgresDecodable {
    /// Reads `int2` or `int4`.
    public init(postgresCell cell: PostgresCell) throws(PostgresError) {
        guard cell.dataType != .int8 else { throw cell.mismatch(Int32.self) }
        self = Int32(try Int64(postgresCell: cell))
    }
}

extension Int16: PostgresDecodable {
    /// Reads `int2`.
    public init(postgresCell cell: PostgresCell) throws(PostgresError) {
        guard cell.dataType == .int2 else { throw cell.mismatch(Int16.self) }
        self = Int16(try Int64(postgresCell: cell))
    }
}

extension Double: PostgresDecodable {
    /// Reads `float4` or `float8`.
    public init(postgresCell cell: PostgresCell) throws(PostgresError) {
        if let text = try cell.text(Double.self) {
            guard let value = Double(text) else { throw cell.mismatch(Double.self) }
            self = value
            return
        }
        let bytes = try cell.requireBytes(Double.self)
        switch (cell.dataType, bytes.count) {
        case (.float8, 8): self = Double(bitPattern: bytes.bigEndianInteger(UInt64.self, at: 0))
        case (.float4, 4): self = Double(Float(bitPattern: bytes.bigEndianInteger(UInt32.self, at: 0)))
        default: throw cell.mismatch(Double.self)
        }
    }
}

extension Bool: PostgresDecodable {
    /// Reads `bool`.
    public init(postgresCell cell: PostgresCell) throws(PostgresError) {
        if let text = try cell.text(Bool.self) {
            guard text == "t" || text == "f" else { throw cell.mismatch(Bool.self) }
            self = text == "t"
            return
        }
        let bytes = try cell.requireBytes(Bool.self)
        guard cell.dataType == .bool, bytes.count == 1 else { throw cell.mismatch(Bool.self) }
        self = bytes.first! != 0
    }
}

extension String: PostgresDecodable {
    /// Reads `text`, `varchar`, `bpchar`, `name`, `unknown`, `json` and `jsonb` (as JSON text).
    public init(postgresCell cell: PostgresCell) throws(PostgresError) {
        if let text = try cell.text(String.self) {
            self = text
            return
        }
        let bytes = try cell.requireBytes(String.self)
        switch cell.dataType {
        case .text, .varchar, .bpchar, .name, .unknown, .json, .char:
            self = String(decoding: bytes, as: UTF8.self)
        case .jsonb:
            guard bytes.first == 1 else { throw cell.mismatch(String.self) }
            self = String(decoding: bytes.dropFirst(), as: UTF8.self)
        default:
            throw cell.mismatch(String.self)
        }
    }
}

extension UUID: PostgresDecodable {
    /// Reads `uuid`.
    public init(postgresCell cell: PostgresCell) throws(PostgresError) {
        guard !cell.isText else { throw cell.mismatch(UUID.self) }
        let bytes = try cell.requireBytes(UUID.self)
        guard cell.dataType == .uuid, bytes.count == 16 else { throw cell.mismatch(UUID.self) }
        let b = Array(bytes)
        self = UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                           b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}

extension Date: PostgresDecodable {
    /// Reads `timestamptz` (and `timestamp`, taken as UTC); ±infinity become `distantFuture`/`distantPast`.
    public init(postgresCell cell: PostgresCell) throws(PostgresError) {
        guard !cell.isText else { throw cell.mismatch(Date.self) }
        let bytes = try cell.requireBytes(Date.self)
        guard cell.dataType == .timestamptz || cell.dataType == .timestamp, bytes.count == 8 else {
            throw cell.mismatch(Date.self)
        }
        self = PostgresTimestamp.date(microsecondsSince2000: bytes.bigEndianInteger(Int64.self, at: 0))
    }
}

extension PostgresJSONB: PostgresDecodable {
    /// Reads `jsonb` or `json` as the document's UTF-8 bytes.
    public init(postgresCell cell: PostgresCell) throws(PostgresError) {
        self.init(bytes: try [UInt8](postgresCell: cell))
        guard cell.dataType == .jsonb || cell.dataType == .json else { throw cell.mismatch(PostgresJSONB.self) }
    }
}

/// An element type that arrays decode into: `bigint[]` into `[Int64]`, `bytea` into `[UInt8]`.
public protocol PostgresArrayElementDecodable: Sendable {
    /// Decodes a whole column into an array of this element type.
    static func decodeArray(from cell: PostgresCell) throws(PostgresError) -> [Self]
}

extension Array: PostgresDecodable where Element: PostgresArrayElementDecodable {
    public init(postgresCell cell: PostgresCell) throws(PostgresError) {
        self = try Element.decodeArray(from: cell)
    }
}

extension UInt8: PostgresArrayElementDecodable {
    /// `bytea` as its bytes; `jsonb`/`json` as the JSON document's UTF-8 bytes; text types as UTF-8.
    public static func decodeArray(from cell: PostgresCell) throws(PostgresError) -> [UInt8] {
        guard !cell.isText || cell.dataType != .bytea else { throw cell.mismatch([UInt8].self) }
        let bytes = try cell.requireBytes([UInt8].self)
        if cell.isText { return Array(bytes) }
        switch cell.dataType {
        case .bytea, .json, .text, .varchar: return Array(bytes)
        case .jsonb:
            guard bytes.first == 1 else { throw cell.mismatch([UInt8].self) }
            return Array(bytes.dropFirst())
        default: throw cell.mismatch([UInt8].self)
        }
    }
}

/// Reads a one-dimensional binary array whose elements have one of `elementTypes`, without NULL elements.
func decodeBinaryArray<Element>(
    _ cell: PostgresCell, arrayTypes: Set<PostgresDataType>, as swiftType: Any.Type,
    element: (PostgresCell) throws(PostgresError) -> Element
) throws(PostgresError) -> [Element] {
    guard !cell.isText else { throw cell.mismatch(swiftType) }
    let bytes = try cell.requireBytes(swiftType)
    guard arrayTypes.contains(cell.dataType), bytes.count >= 12 else { throw cell.mismatch(swiftType) }
    let dimensions = bytes.bigEndianInteger(Int32.self, at: 0)
    let elementType = PostgresDataType(rawValue: bytes.bigEndianInteger(UInt32.self, at: 8))
    if dimensions == 0 { return [] }
    guard dimensions == 1, bytes.count >= 20 else { throw cell.mismatch(swiftType) }
    let count = Int(bytes.bigEndianInteger(Int32.self, at: 12))
    var offset = 20
    var result: [Element] = []
    result.reserveCapacity(count)
    for _ in 0..<count {
        guard offset + 4 <= bytes.count else { throw cell.mismatch(swiftType) }
        let length = Int(bytes.bigEndianInteger(Int32.self, at: offset))
        offset += 4
        guard length >= 0 else {
            throw PostgresError(code: .decoding, message: "column \(cell.columnName) has a NULL element; \(swiftType) cannot hold it")
        }
        guard offset + length <= bytes.count else { throw cell.mismatch(swiftType) }
        let start = bytes.startIndex + offset
        let elementCell = PostgresCell(bytes: bytes[start..<start + length], dataType: elementType, columnName: cell.columnName)
        result.append(try element(elementCell))
        offset += length
    }
    return result
}

extension Int64: PostgresArrayElementDecodable {
    /// Reads `int2[]`, `int4[]` or `int8[]`.
    public static func decodeArray(from cell: PostgresCell) throws(PostgresError) -> [Int64] {
        try decodeBinaryArray(cell, arrayTypes: [.int8Array, .int4Array, .int2Array], as: [Int64].self) {
            (element) throws(PostgresError) in try Int64(postgresCell: element)
        }
    }
}

extension Int: PostgresArrayElementDecodable {
    /// Reads `int2[]`, `int4[]` or `int8[]`.
    public static func decodeArray(from cell: PostgresCell) throws(PostgresError) -> [Int] {
        try Int64.decodeArray(from: cell).map { Int($0) }
    }
}

extension String: PostgresArrayElementDecodable {
    /// Reads `text[]` or `varchar[]`.
    public static func decodeArray(from cell: PostgresCell) throws(PostgresError) -> [String] {
        try decodeBinaryArray(cell, arrayTypes: [.textArray, .varcharArray], as: [String].self) {
            (element) throws(PostgresError) in try String(postgresCell: element)
        }
    }
}
