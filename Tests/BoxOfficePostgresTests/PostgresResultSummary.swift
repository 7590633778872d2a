@testable import BoxOfficePostgres

/// A comparable digest of a result, so the results a state machine hands out can be asserted in tests.
struct PostgresResultSummary: Equatable {
    var rowCount: Int
    var affectedRows: Int
    init(_ result: PostgresResult) {
        rowCount = result.rows.count
        affectedRows = result.affectedRows
    }
    init(rowCount: Int, affectedRows: Int) {
        self.rowCount = rowCount
        self.affectedRows = affectedRows
    }
}
