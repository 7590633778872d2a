import BoxOfficePostgres

extension InventoryError {
    /// Maps a PostgreSQL client failure: unreachable → UNAVAILABLE, lost races → ABORTED,
    /// anything else → INTERNAL. Passes ``InventoryError``s through.
    static func from(_ error: any Error, doing what: String) -> InventoryError {
        if let error = error as? InventoryError { return error }
        guard let error = error as? PostgresError else { return .internalError("\(what): \(error)") }
        switch error.code {
        case .connectionFailed, .connectionClosed, .poolTimeout, .closed:
            return .unavailable("PostgreSQL is unavailable (\(what)): \(error.message)")
        default:
            if error.isTransactionRetryable { return .aborted("\(what) lost a race; retry: \(error.message)") }
            return .internalError("\(what): \(error)")
        }
    }
}

extension PostgresError {
    /// `23505`: a unique constraint refused a duplicate.
    var isUniqueViolation: Bool { sqlState == "23505" }
}

/// SQL text for an instant given as milliseconds since 1970, and back.
enum SQLTime {
    static func at(_ parameter: Int) -> String { "to_timestamp($\(parameter)::float8 / 1000)" }
    static func milliseconds(_ column: String) -> String { "floor(extract(epoch from \(column)) * 1000)::int8" }
}
