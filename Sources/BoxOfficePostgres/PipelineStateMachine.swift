/// Bookkeeping for one connection in libpq pipeline mode: which result belongs to which request.
///
/// Each request (one statement, or a caller's batch) is sent as its statements followed by one
/// sync point, so an error aborts only that request's remaining statements (and, for a batch,
/// rolls back its implicit transaction), never a neighbour's. Statements are prepared once per
/// connection and then executed by name; a prepare that fails is forgotten so it is retried.
/// The prepared statements form an LRU cache of ``capacity`` entries: a request that needs a new
/// one first deallocates the least recently used ones (in their own sync segment, so a failed
/// `DEALLOCATE` never aborts a caller's statements), keeping the server-side count bounded.
///
/// A simple-query request (``planSimpleQuery(_:)``) runs alone, outside pipeline mode: its results
/// end with libpq's end-of-query NULL rather than a sync, and the last statement's result is its answer.
///
/// The machine does no I/O: ``plan(_:sqls:)`` says what to send, ``receive(_:)`` consumes what
/// libpq reported and returns what to do.
struct PipelineStateMachine {
    /// Identifies one caller's request.
    typealias RequestID = UInt64

    /// One thing to put on the wire, in order.
    enum Step: Equatable {
        /// `PQsendPrepare(name, sql)`.
        case prepare(name: PreparedStatementName, sql: String)
        /// `PQsendQueryPrepared(name, statement #statementIndex's bindings)`.
        case execute(name: PreparedStatementName, statementIndex: Int)
        /// `PQpipelineSync`.
        case sync
        /// `DEALLOCATE name`, evicting a prepared statement from the cache.
        case deallocate(name: PreparedStatementName)
    }

    /// What libpq reported, one `PQgetResult` at a time.
    enum Event {
        /// A successful result (tuples, command, or empty query).
        case result(PostgresResult)
        /// A failed statement.
        case error(PostgresError)
        /// `PGRES_PIPELINE_ABORTED`: skipped because an earlier statement in the segment failed.
        case aborted
        /// `PGRES_PIPELINE_SYNC`.
        case sync
        /// `PQgetResult` returned NULL: the current statement's results are complete.
        case endOfStatement
    }

    /// What the connection must do.
    enum Action: Equatable {
        /// The request's results are complete; take them with ``takeResults(_:)``.
        case succeed(RequestID)
        case fail(RequestID, PostgresError)
        /// Results arrived out of the expected order: close the connection.
        case closeConnection(PostgresError)
    }

    private enum Expectation {
        case prepare(sql: String, name: PreparedStatementName, request: RequestID)
        case statement(RequestID)
        case sync(RequestID)
        /// A `DEALLOCATE` or the sync closing the eviction segment: outcomes are ignored.
        case deallocate
        case evictionSync
        /// A simple query (possibly several statements): results until libpq's end of query.
        case simpleQuery(RequestID)
    }

    private struct CachedStatement {
        var name: PreparedStatementName
        var lastUse: UInt64
    }

    private struct InFlight {
        var results: [PostgresResult] = []
        var error: PostgresError?
    }

    /// The most prepared statements kept on the server (a single request may exceed it briefly).
    let capacity: Int
    private var statementNames: [String: CachedStatement] = [:]
    private var nextStatementNumber = 0
    private var useClock: UInt64 = 0
    private var expectations: [Expectation] = []
    private var head = 0
    private var awaitingEnd = false
    /// What the request at the head of the pipeline has answered so far. A request's expectations
    /// are queued together and answered in order, so everything between one request's sync point
    /// and the next belongs to one request: one accumulator serves, with no lookup by request
    /// (a dictionary's in-place update allocated its accessor's frame on every result).
    private var gathering = InFlight()
    /// Completed results, handed out by ``takeResults(_:)`` (kept out of `Action` so actions stay
    /// comparable); usually none or one, so a list searched from the front.
    private var completed: [(request: RequestID, results: [PostgresResult])] = []

    /// Creates a machine whose prepared-statement cache holds at most `capacity` statements.
    init(capacity: Int = PostgresConfiguration.defaultPreparedStatementCacheCapacity) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// True when nothing is awaited from the server.
    var isIdle: Bool { head == expectations.count }

    /// The number of statements this connection has prepared (or is preparing).
    var preparedStatementCount: Int { statementNames.count }

    /// Plans the steps for a request of `sqls`, preparing statements not yet known to this connection.
    mutating func plan<SQLs: Collection<String>>(_ request: RequestID, sqls: SQLs) -> [Step] {
        var steps: [Step] = []
        plan(request, sqls: sqls, into: &steps)
        return steps
    }

    /// ``plan(_:sqls:)`` into `steps` (replacing its contents), so a connection can reuse one array.
    mutating func plan<SQLs: Collection<String>>(_ request: RequestID, sqls: SQLs, into steps: inout [Step]) {
        steps.removeAll(keepingCapacity: true)
        addEvictions(keeping: sqls, to: &steps)
        for (index, sql) in sqls.enumerated() {
            let name: PreparedStatementName
            useClock += 1
            if let known = statementNames.index(forKey: sql) {
                // One hash of the SQL text per statement: the entry is updated where it was found.
                name = statementNames.values[known].name
                statementNames.values[known].lastUse = useClock
            } else {
                name = PreparedStatementName("bo\(nextStatementNumber)")
                nextStatementNumber += 1
                statementNames[sql] = CachedStatement(name: name, lastUse: useClock)
                steps.append(.prepare(name: name, sql: sql))
                expectations.append(.prepare(sql: sql, name: name, request: request))
            }
            steps.append(.execute(name: name, statementIndex: index))
            expectations.append(.statement(request))
        }
        steps.append(.sync)
        expectations.append(.sync(request))
    }

    /// Records a simple-query request (sent with `PQsendQuery` outside pipeline mode); only valid when idle.
    mutating func planSimpleQuery(_ request: RequestID) {
        precondition(isIdle, "a simple query runs alone")
        expectations.append(.simpleQuery(request))
    }

    /// Consumes one event from libpq.
    mutating func receive(_ event: Event) -> Action? {
        guard head < expectations.count else {
            if case .endOfStatement = event { return nil }
            return closeAll("result arrived while nothing was pending")
        }
        switch (expectations[head], event) {
        case (.prepare, .endOfStatement), (.statement, .endOfStatement):
            guard awaitingEnd else { return nil }
            awaitingEnd = false
            advance()
            return nil
        case (.sync, .endOfStatement), (.evictionSync, .endOfStatement):
            return nil
        case (.deallocate, .endOfStatement):
            guard awaitingEnd else { return nil }
            awaitingEnd = false
            advance()
            return nil
        case (.deallocate, .result), (.deallocate, .error), (.deallocate, .aborted):
            // A name whose prepare failed is already gone on the server: nothing to undo.
            awaitingEnd = true
            return nil
        case (.evictionSync, .sync):
            advance()
            return nil
        case (.prepare, .result):
            awaitingEnd = true
            return nil
        case (.prepare(let sql, let name, _), .error(let error)):
            forget(sql, named: name)
            record(error)
            awaitingEnd = true
            return nil
        case (.prepare(let sql, let name, _), .aborted):
            forget(sql, named: name)
            awaitingEnd = true
            return nil
        case (.statement, .result(let result)):
            if awaitingEnd {
                // Only single-row mode yields several results per statement; we never enable it.
                return closeAll("several results for one statement")
            }
            gathering.results.append(result)
            awaitingEnd = true
            return nil
        case (.statement, .error(let error)):
            record(error)
            awaitingEnd = true
            return nil
        case (.statement, .aborted):
            awaitingEnd = true
            return nil
        case (.simpleQuery, .result(let result)):
            // Several statements answer one result each: the last one is the query's answer.
            gathering.results = [result]
            return nil
        case (.simpleQuery, .error(let error)):
            record(error)
            return nil
        case (.simpleQuery(let request), .endOfStatement):
            advance()
            let inFlight = takeGathered()
            if let error = inFlight.error { return .fail(request, error) }
            completed.append((request, inFlight.results.isEmpty ? [PostgresResult()] : inFlight.results))
            return .succeed(request)
        case (.sync(let request), .sync):
            advance()
            let inFlight = takeGathered()
            if let error = inFlight.error { return .fail(request, error) }
            completed.append((request, inFlight.results))
            return .succeed(request)
        default:
            return closeAll("unexpected \(event) while awaiting \(expectations[head])")
        }
    }

    /// Takes the results of a request that ``receive(_:)`` reported as succeeded.
    mutating func takeResults(_ request: RequestID) -> [PostgresResult] {
        guard let index = completed.firstIndex(where: { $0.request == request }) else { return [] }
        return completed.remove(at: index).results
    }

    /// The connection is gone: every pending request fails with `error`; prepared names are void.
    mutating func connectionLost(_ error: PostgresError) -> [RequestID] {
        let pending = pendingRequests()
        expectations = []
        head = 0
        awaitingEnd = false
        gathering = InFlight()
        statementNames = [:]
        return pending
    }

    private func pendingRequests() -> [RequestID] {
        var seen = Set<RequestID>()
        var order: [RequestID] = []
        for expectation in expectations[head...] {
            switch expectation {
            case .sync(let request), .simpleQuery(let request):
                if seen.insert(request).inserted { order.append(request) }
            default:
                break
            }
        }
        return order
    }

    /// Deallocate steps (plus their sync) making room for the new statements among `sqls`;
    /// statements `sqls` uses are never evicted.
    private mutating func addEvictions<SQLs: Collection<String>>(keeping sqls: SQLs, to steps: inout [Step]) {
        // The common case, a cache with room to spare, needs no set of the request's statements.
        if statementNames.count + sqls.count <= capacity { return }
        let needed = Set(sqls)
        let missing = needed.reduce(0) { $0 + (statementNames[$1] == nil ? 1 : 0) }
        var excess = statementNames.count + missing - capacity
        guard excess > 0 else { return }
        let victims = statementNames
            .filter { !needed.contains($0.key) }
            .sorted { $0.value.lastUse < $1.value.lastUse }
        let before = steps.count
        for (sql, entry) in victims where excess > 0 {
            statementNames[sql] = nil
            steps.append(.deallocate(name: entry.name))
            expectations.append(.deallocate)
            excess -= 1
        }
        if steps.count > before {
            steps.append(.sync)
            expectations.append(.evictionSync)
        }
    }

    /// Forgets a statement whose prepare failed, unless the SQL was re-prepared under another name since.
    private mutating func forget(_ sql: String, named name: PreparedStatementName) {
        if statementNames[sql]?.name == name { statementNames[sql] = nil }
    }

    /// Keeps the first error of the request at the head (``gathering`` is that request's).
    private mutating func record(_ error: PostgresError) {
        if gathering.error == nil { gathering.error = error }
    }

    /// The head request's answers, leaving the accumulator empty for the next request.
    private mutating func takeGathered() -> InFlight {
        var taken = InFlight()
        swap(&taken, &gathering)
        return taken
    }

    private mutating func advance() {
        head += 1
        if head == expectations.count {
            expectations.removeAll(keepingCapacity: true)
            head = 0
        }
    }

    private mutating func closeAll(_ reason: String) -> Action {
        .closeConnection(PostgresError(code: .protocolViolation, message: "pipeline out of step: \(reason)"))
    }
}

extension PipelineStateMachine.Event: CustomStringConvertible {
    var description: String {
        switch self {
        case .result: "result"
        case .error(let error): "error(\(error.message))"
        case .aborted: "aborted"
        case .sync: "sync"
        case .endOfStatement: "end of statement"
        }
    }
}
