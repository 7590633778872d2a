import Logging

/// Transaction isolation levels.
public enum PostgresIsolationLevel: String, Sendable, Hashable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

/// The statements of one transaction, all on the connection that holds it.
public struct PostgresTransaction: Sendable {
    /// The connection, lent exclusively for the transaction's lifetime.
    public let connection: PostgresConnection

    /// Runs one statement inside the transaction and returns its rows.
    public func query(_ sql: String, _ bindings: [any PostgresEncodable] = []) async throws -> PostgresRows {
        try await connection.query(sql, bindings)
    }

    /// Runs one statement inside the transaction and returns the affected-row count.
    public func execute(_ sql: String, _ bindings: [any PostgresEncodable] = []) async throws -> Int {
        try await connection.execute(sql, bindings)
    }

    /// Runs several statements in one round trip inside the transaction.
    public func batch(_ statements: [PostgresStatement]) async throws -> [PostgresResult] {
        try await connection.batch(statements)
    }
}

extension PostgresClient {
    /// Runs `body` in a transaction and commits; retries the whole transaction on serialization
    /// failure (`40001`) or deadlock (`40P01`) up to `maxAttempts` times with jittered exponential backoff.
    ///
    /// `body` may run more than once, so it must not have effects outside the database. Any error
    /// from `body` rolls the transaction back and is rethrown (the last one, when retries run out).
    public func transaction<Result: Sendable>(
        isolation: PostgresIsolationLevel = .readCommitted, maxAttempts: Int = 5,
        _ body: (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        precondition(maxAttempts > 0)
        var attempt = 1
        while true {
            do {
                return try await withConnection(exclusive: true) { connection in
                    try await Self.runTransaction(on: connection, isolation: isolation, body)
                }
            } catch let error as PostgresError where error.isTransactionRetryable && attempt < maxAttempts {
                let ceiling = 5 * (1 << min(attempt, 6))
                let delay = Duration.milliseconds(Int.random(in: 1...ceiling))
                logger.debug("retrying transaction", metadata: ["postgres.sqlstate": "\(error.sqlState ?? "")", "postgres.attempt": "\(attempt)"])
                attempt += 1
                try await Task.sleep(for: delay)
            }
        }
    }

    private static func runTransaction<Result: Sendable>(
        on connection: PostgresConnection, isolation: PostgresIsolationLevel,
        _ body: (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        _ = try await connection.execute("BEGIN ISOLATION LEVEL \(isolation.rawValue)")
        do {
            let result = try await body(PostgresTransaction(connection: connection))
            let commit = try await connection.run([PostgresStatement("COMMIT")])
            // COMMIT of a failed transaction (body caught a statement error) answers ROLLBACK, not an error.
            guard commit.first?.commandTag != "ROLLBACK" else {
                throw PostgresError(code: .server, message: "transaction was rolled back: a statement in it failed", sqlState: "25P02")
            }
            return result
        } catch {
            if !connection.isClosed && connection.transactionState != .idle {
                _ = try? await connection.execute("ROLLBACK")
            }
            throw error
        }
    }
}
