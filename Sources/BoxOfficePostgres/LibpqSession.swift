import CLibpq
import Foundation

/// The one owner of a `PGconn*`: connects, runs pipelined requests, frees the handle in `deinit`.
///
/// Not thread-safe: a ``ConnectionDriver`` uses it only under its lock, with libpq in nonblocking
/// pipeline mode, so no call blocks (the blocking connect runs on a thread pool; the blocking
/// helpers at the end serve ``PostgresListener``'s own thread).
final class LibpqSession {
    private let handle: OpaquePointer
    private var machine: PipelineStateMachine
    /// The steps of the request being sent, reused from request to request.
    private var steps: [PipelineStateMachine.Step] = []
    /// The simple query being answered outside pipeline mode, if any.
    private var simpleQueryInFlight: PipelineStateMachine.RequestID?
    private(set) var isBroken = false

    private init(handle: OpaquePointer, preparedStatementCacheCapacity: Int) {
        self.handle = handle
        self.machine = PipelineStateMachine(capacity: preparedStatementCacheCapacity)
    }

    deinit {
        PQfinish(handle)
    }

    /// Connects (blocking) and switches the connection to nonblocking pipeline mode.
    static func connect(
        conninfo: String, preparedStatementCacheCapacity: Int = PostgresConfiguration.defaultPreparedStatementCacheCapacity
    ) throws(PostgresError) -> LibpqSession {
        // Defaults first: settings in the connection string (expanded at `dbname`) override them.
        let keywords = ["client_encoding", "connect_timeout", "dbname"]
        let values = ["UTF8", "10", conninfo]
        guard let handle = withCStringArray(keywords, { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }) else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        // From here on the session owns the handle, whatever happens next.
        let session = LibpqSession(handle: handle, preparedStatementCacheCapacity: preparedStatementCacheCapacity)
        // libpq prints notices (and the FATAL of a server shutting down) to stderr by default;
        // errors reach callers as PostgresError, notices are not needed.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(code: .connectionFailed, message: session.libpqMessage)
        }
        guard PQsetnonblocking(handle, 1) == 0, PQenterPipelineMode(handle) == 1 else {
            throw PostgresError(code: .connectionFailed, message: "could not enter pipeline mode: \(session.libpqMessage)")
        }
        return session
    }

    /// A canceller for the statement this session is running, usable from any thread.
    func makeCanceller() -> LibpqCanceller? {
        LibpqCanceller(connection: handle)
    }

    /// libpq's last error message, trimmed.
    private var libpqMessage: String {
        guard let message = PQerrorMessage(handle) else { return "unknown libpq error" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The server's transaction state after the last completed request.
    var transactionState: PostgresTransactionState {
        switch PQtransactionStatus(handle) {
        case PQTRANS_IDLE: .idle
        case PQTRANS_INTRANS: .inTransaction
        case PQTRANS_INERROR: .failedTransaction
        case PQTRANS_ACTIVE: .busy
        default: .unknown
        }
    }

    /// The connection's socket, or -1 once libpq closed it.
    var socket: Int32 { PQsocket(handle) }

    /// How a completed (or failed) request is reported: its ID and its results or error.
    typealias Completion = (PipelineStateMachine.RequestID, Result<[PostgresResult], PostgresError>) -> Void

    /// Queues a request's statements and its sync point in pipeline mode, and pushes them toward the
    /// server without blocking (`PQpipelineSync` flushes what the socket takes; see ``flush()``).
    /// If the connection fails, every pending request, this one included, is reported failed.
    /// Generic so that a single statement goes as `CollectionOfOne`, without an array to allocate.
    func send<Statements: RandomAccessCollection<PostgresStatement>>(
        _ id: PipelineStateMachine.RequestID, _ statements: Statements, failed: Completion
    ) where Statements.Index == Int {
        guard !isBroken else { return failed(id, .failure(Self.brokenError)) }
        machine.plan(id, sqls: statements.lazy.map(\.sql), into: &steps)
        for step in steps {
            if let error = send(step, statements: statements) {
                return failAll(error, failed)
            }
        }
    }

    /// Leaves pipeline mode and sends `sql` with the simple query protocol (several statements
    /// allowed); pipeline mode is entered again when its answer has been read. Only when nothing is pending.
    func sendSimpleQuery(_ id: PipelineStateMachine.RequestID, _ sql: String, failed: Completion) {
        guard !isBroken else { return failed(id, .failure(Self.brokenError)) }
        guard machine.isIdle, PQexitPipelineMode(handle) == 1 else {
            return failed(id, .failure(PostgresError(code: .protocolViolation, message: "cannot leave pipeline mode: \(libpqMessage)")))
        }
        machine.planSimpleQuery(id)
        simpleQueryInFlight = id
        if PQsendQuery(handle, sql) != 1 { failAll(markBroken(), failed) }
    }

    /// Pushes queued output to the server without blocking.
    /// - Returns: true when output remains (wait for the socket to become writable and call again).
    func flush(failed: Completion) -> Bool {
        guard !isBroken else { return false }
        switch PQflush(handle) {
        case 0: return false
        case 1: return true
        default:
            failAll(markBroken(), failed)
            return false
        }
    }

    /// Reads whatever the server sent, without blocking, and reports every request it completed, in order.
    /// When the connection fails, every pending request is reported failed and ``isBroken`` turns true.
    func readAvailable(_ complete: Completion) {
        guard !isBroken else { return }
        if PQconsumeInput(handle) == 0 { return failAll(markBroken(), complete) }
        var consecutiveEnds = 0
        while !machine.isIdle, PQisBusy(handle) == 0 {
            let event: PipelineStateMachine.Event
            if let result = PQgetResult(handle) {
                event = Self.event(for: result)
                PQclear(result)
                consecutiveEnds = 0
            } else {
                event = .endOfStatement
                consecutiveEnds += 1
                // libpq is not busy yet has nothing for us: reading on would spin forever.
                if consecutiveEnds > 2 {
                    return failAll(PostgresError(code: .protocolViolation, message: "libpq returned no result for a pending statement"), complete)
                }
            }
            switch machine.receive(event) {
            case nil:
                break
            case .succeed(let id)?:
                finishedSimpleQuery(id)
                complete(id, .success(machine.takeResults(id)))
            case .fail(let id, let error)?:
                finishedSimpleQuery(id)
                complete(id, .failure(error))
            case .closeConnection(let error)?:
                return failAll(error, complete)
            }
            if isBroken { return }
            if PQstatus(handle) != CONNECTION_OK { return failAll(markBroken(), complete) }
        }
        if PQstatus(handle) != CONNECTION_OK { return failAll(markBroken(), complete) }
        drainNotifications()
    }

    /// Runs `sql` with the simple query protocol (several statements allowed), leaving pipeline mode meanwhile.
    func runSimpleQuery(_ sql: String) -> Result<[PostgresResult], PostgresError> {
        guard !isBroken else { return .failure(Self.brokenError) }
        guard PQexitPipelineMode(handle) == 1 else {
            return .failure(PostgresError(code: .protocolViolation, message: "cannot leave pipeline mode: \(libpqMessage)"))
        }
        defer {
            if PQenterPipelineMode(handle) != 1 { isBroken = true }
        }
        guard let result = PQexec(handle, sql) else {
            return .failure(markBroken())
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return .success([Self.copyResult(result)])
        default:
            if PQstatus(handle) != CONNECTION_OK { return .failure(markBroken()) }
            return .failure(Self.serverError(result))
        }
    }

    /// Reads what the server sent while idle (a restart notice, EOF) and reports whether the connection is usable.
    /// Notifications are discarded unless `keepNotifications` (a listening connection takes them itself).
    func checkAlive(keepNotifications: Bool = false) -> Bool {
        guard !isBroken else { return false }
        // A server shutting down sends a FATAL message and then closes: the first read may get only
        // the message, so read again while the socket stays readable (bounded).
        for _ in 0..<4 {
            if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
                isBroken = true
                return false
            }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 0) <= 0 { break }
        }
        if !keepNotifications { drainNotifications() }
        return true
    }

    /// Notifications received so far on this connection, removed from libpq's queue.
    func takeNotifications() -> [PostgresNotification] {
        var notifications: [PostgresNotification] = []
        while let notify = PQnotifies(handle) {
            notifications.append(PostgresNotification(
                channel: String(cString: notify.pointee.relname),
                payload: String(cString: notify.pointee.extra),
                processID: notify.pointee.be_pid))
            PQfreemem(notify)
        }
        return notifications
    }

    /// Blocks until the socket is readable or `timeoutMilliseconds` pass, then consumes input.
    /// - Returns: false when the connection broke.
    func waitForInput(timeoutMilliseconds: Int32) -> Bool {
        guard !isBroken else { return false }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready < 0 && errno != EINTR { isBroken = true; return false }
        return checkAlive(keepNotifications: true)
    }

    /// Escapes `identifier` as a quoted SQL identifier (for LISTEN channel names, which cannot be parameters).
    func quoteIdentifier(_ identifier: String) -> String? {
        guard let quoted = PQescapeIdentifier(handle, identifier, identifier.utf8.count) else { return nil }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    // MARK: Private

    private static let brokenError = PostgresError(code: .connectionClosed, message: "connection is closed")

    private func markBroken() -> PostgresError {
        isBroken = true
        return PostgresError(code: .connectionClosed, message: "connection lost: \(libpqMessage)")
    }

    private func drainNotifications() {
        // Regular connections do not LISTEN, but libpq would keep any notification forever.
        _ = takeNotifications()
    }

    /// The connection is unusable: every pending request fails with `error`.
    private func failAll(_ error: PostgresError, _ failed: Completion) {
        isBroken = true
        simpleQueryInFlight = nil
        for id in machine.connectionLost(error) { failed(id, .failure(error)) }
    }

    /// A simple query's answer is complete: back to pipeline mode for everything else.
    private func finishedSimpleQuery(_ id: PipelineStateMachine.RequestID) {
        guard simpleQueryInFlight == id else { return }
        simpleQueryInFlight = nil
        if PQenterPipelineMode(handle) != 1 { isBroken = true }
    }

    private func send<Statements: RandomAccessCollection<PostgresStatement>>(
        _ step: PipelineStateMachine.Step, statements: Statements
    ) -> PostgresError? where Statements.Index == Int {
        let sent: Int32
        switch step {
        case .prepare(let name, let sql):
            sent = name.withCString { PQsendPrepare(handle, $0, sql, 0, nil) }
        case .execute(let name, let index):
            sent = name.withCString { name in
                Self.withParameters(statements[statements.startIndex + index].bindings) { count, values, lengths, formats in
                    PQsendQueryPrepared(handle, name, count, values, lengths, formats, 1)
                }
            }
        case .sync:
            sent = PQpipelineSync(handle)
        case .deallocate(let name):
            // Names are ours ("bo<n>"), never caller input. libpq 15 has no PQsendClosePrepared.
            sent = PQsendQueryParams(handle, "DEALLOCATE \(name.text)", 0, nil, nil, nil, nil, 1)
        }
        return sent == 1 ? nil : markBroken()
    }

    private static func event(for result: OpaquePointer) -> PipelineStateMachine.Event {
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return .result(copyResult(result))
        case PGRES_PIPELINE_SYNC:
            return .sync
        case PGRES_PIPELINE_ABORTED:
            return .aborted
        default:
            return .error(serverError(result))
        }
    }

    static func serverError(_ result: OpaquePointer) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field("C")
        // A result with no SQLSTATE was made up by libpq itself: the connection failed, not the statement.
        let code: PostgresError.Code = sqlState == nil ? .connectionClosed : .server
        let message = field("M") ?? String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
        return PostgresError(code: code, message: message, sqlState: sqlState, detail: field("D"), hint: field("H"), constraint: field("n"))
    }

    /// Copies a result's columns and binary cells into Swift storage so the `PGresult` can be freed at once.
    static func copyResult(_ result: OpaquePointer) -> PostgresResult {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns: [PostgresColumn] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<Int32(columnCount) {
            columns.append(PostgresColumn(
                name: String(cString: PQfname(result, column)), dataType: PostgresDataType(PQftype(result, column)),
                isText: PQfformat(result, column) == 0))
        }
        var total = 0
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) { total += Int(PQgetlength(result, row, column)) }
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(total)
        var cells: [PostgresRows.CellSpan] = []
        cells.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    cells.append(.init(offset: 0, length: -1))
                    continue
                }
                let length = Int(PQgetlength(result, row, column))
                cells.append(.init(offset: Int32(buffer.count), length: Int32(length)))
                if length > 0, let value = PQgetvalue(result, row, column) {
                    value.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                        buffer.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
                    }
                }
            }
        }
        let tag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
        let affected = PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
        return PostgresResult(rows: PostgresRows(columns: columns, buffer: buffer, cells: cells), affectedRows: affected, commandTag: tag)
    }

    /// Lays out parameters for `PQsendQueryPrepared`; the pointers live only inside `body`.
    private static func withParameters<R>(
        _ values: [PostgresValue],
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R
    ) -> R {
        if values.isEmpty { return body(0, nil, nil, nil) }
        // One scratch block (on the stack when small): the value pointers, lengths and formats, then
        // each value's bytes with a NUL after it (libpq reads text values as C strings).
        let count = values.count
        var byteCount = 0
        for value in values {
            switch value {
            case .null: break
            case .text(let text): byteCount += text.utf8.count + 1
            case .binary(let bytes): byteCount += bytes.count + 1
            }
        }
        let pointersSize = count * MemoryLayout<UnsafePointer<CChar>?>.stride
        let integersSize = count * MemoryLayout<Int32>.stride
        return withUnsafeTemporaryAllocation(byteCount: pointersSize + 2 * integersSize + byteCount,
                                              alignment: MemoryLayout<UnsafePointer<CChar>?>.alignment) { scratch in
            let base = scratch.baseAddress!
            let pointers = base.bindMemory(to: UnsafePointer<CChar>?.self, capacity: count)
            let lengths = (base + pointersSize).bindMemory(to: Int32.self, capacity: count)
            let formats = (base + pointersSize + integersSize).bindMemory(to: Int32.self, capacity: count)
            var cursor = (base + pointersSize + 2 * integersSize).bindMemory(to: CChar.self, capacity: byteCount)
            /// Copies one value's bytes and a NUL to the cursor and points parameter `index` at them.
            func place(_ bytes: UnsafeRawBufferPointer, format: Int32, at index: Int) {
                if let source = bytes.baseAddress { UnsafeMutableRawPointer(cursor).copyMemory(from: source, byteCount: bytes.count) }
                cursor[bytes.count] = 0
                pointers[index] = UnsafePointer(cursor)
                lengths[index] = Int32(bytes.count)
                formats[index] = format
                cursor += bytes.count + 1
            }
            for (index, value) in values.enumerated() {
                switch value {
                case .null:
                    pointers[index] = nil
                    lengths[index] = 0
                    formats[index] = 0
                case .text(var text):
                    text.withUTF8 { place(UnsafeRawBufferPointer($0), format: 0, at: index) }
                case .binary(let bytes):
                    bytes.withUnsafeBytes { place($0, format: 1, at: index) }
                }
            }
            return body(Int32(count), pointers, lengths, formats)
        }
    }
}

/// Calls `body` with a NULL-terminated array of C strings valid only inside it.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    var storage: [UInt8] = []
    var offsets: [Int] = []
    for string in strings {
        offsets.append(storage.count)
        storage.append(contentsOf: string.utf8)
        storage.append(0)
    }
    return storage.withUnsafeBufferPointer { bytes in
        let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
        let pointers: [UnsafePointer<CChar>?] = offsets.map { base + $0 } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// The server's transaction state for a connection.
/// (A byte each, so that a connection can publish it in an atomic.)
public enum PostgresTransactionState: UInt8, Sendable, Hashable {
    /// Not in a transaction: safe to hand to the next borrower.
    case idle
    /// Inside an open transaction block.
    case inTransaction
    /// Inside a transaction that failed; only ROLLBACK is accepted.
    case failedTransaction
    /// A request is in progress.
    case busy
    /// The connection is broken.
    case unknown
}

/// A `NOTIFY` received on a listening connection.
public struct PostgresNotification: Sendable, Hashable {
    /// The channel named in `NOTIFY`.
    public var channel: String
    /// The payload string (empty when none was given).
    public var payload: String
    /// The notifying backend's process ID.
    public var processID: Int32
}
