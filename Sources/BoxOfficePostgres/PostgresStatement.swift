/// A SQL statement with `$n` placeholders and the values bound to them.
public struct PostgresStatement: Sendable {
    /// The SQL text; caller data never goes here, only into ``bindings``.
    public var sql: String
    /// The parameter values, `$1` first.
    public var bindings: [PostgresValue]

    /// Creates a statement from SQL and its parameters.
    public init(_ sql: String, _ bindings: [any PostgresEncodable] = []) {
        self.sql = sql
        self.bindings = bindings.map(\.postgresValue)
    }

    /// Creates a statement from already-encoded parameters.
    public init(sql: String, bindings: [PostgresValue]) {
        self.sql = sql
        self.bindings = bindings
    }
}

/// What one statement produced: rows (if any) and the affected-row count.
public struct PostgresResult: Sendable {
    /// The returned rows; empty for commands without `RETURNING`.
    public var rows: PostgresRows
    /// Rows inserted, updated, deleted or selected (libpq's `PQcmdTuples`), 0 when not applicable.
    public var affectedRows: Int
    /// The command tag, e.g. `UPDATE 1`.
    public var commandTag: String

    /// Creates a result; used by the client and by tests.
    public init(rows: PostgresRows = .empty, affectedRows: Int = 0, commandTag: String = "") {
        self.rows = rows
        self.affectedRows = affectedRows
        self.commandTag = commandTag
    }
}
