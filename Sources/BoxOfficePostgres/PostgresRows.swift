/// A result column: its name and type.
public struct PostgresColumn: Sendable, Hashable {
    /// The column's name (or alias) in the select list.
    public var name: String
    /// The column's type.
    public var dataType: PostgresDataType
    /// Whether values arrive as text (simple-query results) instead of binary (everything else).
    public var isText: Bool = false
}

/// The rows a statement returned, copied out of libpq into one contiguous buffer.
///
/// Values arrive in PostgreSQL's binary format; decode them with ``PostgresRow/decode(_:column:)-(_,Int)``.
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// The columns, in select-list order.
    public let columns: [PostgresColumn]
    let buffer: [UInt8]
    /// Per cell (row-major): offset into `buffer` and length, or length -1 for NULL.
    let cells: [CellSpan]

    struct CellSpan: Sendable {
        var offset: Int32
        var length: Int32
    }

    init(columns: [PostgresColumn], buffer: [UInt8], cells: [CellSpan]) {
        self.columns = columns
        self.buffer = buffer
        self.cells = cells
    }

    /// No columns and no rows (what a command without `RETURNING` yields).
    public static let empty = PostgresRows(columns: [], buffer: [], cells: [])

    public var startIndex: Int { 0 }
    public var endIndex: Int { columns.isEmpty ? 0 : cells.count / columns.count }
    public subscript(position: Int) -> PostgresRow { PostgresRow(rows: self, index: position) }
}

/// One row of ``PostgresRows``.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let index: Int

    /// The columns of this row.
    public var columns: [PostgresColumn] { rows.columns }

    /// The raw cell at `column`.
    public func cell(_ column: Int) -> PostgresCell {
        precondition(column >= 0 && column < rows.columns.count, "column \(column) out of range")
        let span = rows.cells[index * rows.columns.count + column]
        let bytes: ArraySlice<UInt8>? =
            span.length < 0 ? nil : rows.buffer[Int(span.offset)..<Int(span.offset) + Int(span.length)]
        let description = rows.columns[column]
        return PostgresCell(bytes: bytes, dataType: description.dataType, columnName: description.name, isText: description.isText)
    }

    /// Decodes the value at column position `column`.
    /// - Throws: ``PostgresError`` with code `decoding` for NULL into a non-optional or a type mismatch.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column: Int) throws(PostgresError) -> T {
        guard column >= 0 && column < rows.columns.count else {
            throw PostgresError(code: .decoding, message: "column index \(column) out of range (\(rows.columns.count) columns)")
        }
        return try T(postgresCell: cell(column))
    }

    /// Decodes the value of the column named `column`.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column: String) throws(PostgresError) -> T {
        guard let position = rows.columns.firstIndex(where: { $0.name == column }) else {
            throw PostgresError(code: .decoding, message: "no column named \(column)")
        }
        return try T(postgresCell: cell(position))
    }

    /// Decodes the leading columns, in order, as a tuple: `let (id, name) = try row.decode((Int64, String).self)`.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws(PostgresError) -> (repeat each T) {
        var position = 0
        func next<Value: PostgresDecodable>(_: Value.Type) throws(PostgresError) -> Value {
            defer { position += 1 }
            return try decode(Value.self, column: position)
        }
        return (repeat try next((each T).self))
    }
}

/// One value as it came from the server: binary-format bytes (or `nil` for NULL) and the column's type.
public struct PostgresCell: Sendable {
    /// The binary-format bytes, or `nil` for SQL NULL.
    public var bytes: ArraySlice<UInt8>?
    /// The column's type.
    public var dataType: PostgresDataType
    /// The column's name, for error messages.
    public var columnName: String
    /// True for text-format values (from ``PostgresConnection/simpleQuery(_:)``); only strings,
    /// integers, floats and booleans decode from text.
    public var isText: Bool = false

    /// The text of a text-format value, or `nil` for binary values.
    func text(_ swiftType: Any.Type) throws(PostgresError) -> String? {
        guard isText else { return nil }
        return String(decoding: try requireBytes(swiftType), as: UTF8.self)
    }

    func mismatch(_ swiftType: Any.Type) -> PostgresError {
        PostgresError(code: .decoding, message: "cannot decode column \(columnName) (\(dataType)) as \(swiftType)")
    }

    /// The non-null bytes, or a decoding error naming `swiftType`.
    func requireBytes(_ swiftType: Any.Type) throws(PostgresError) -> ArraySlice<UInt8> {
        guard let bytes else {
            throw PostgresError(code: .decoding, message: "column \(columnName) is NULL; decode as \(swiftType)? instead")
        }
        return bytes
    }
}
