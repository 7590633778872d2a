/// How to reach a PostgreSQL server.
public struct PostgresConfiguration: Sendable, Hashable {
    /// A libpq connection string: a `postgresql://user:password@host:port/database` URL or `key=value` pairs.
    public var connectionString: String
    /// The most prepared statements each connection keeps on the server; beyond it the least
    /// recently used one is deallocated (and prepared again when next used).
    public var preparedStatementCacheCapacity: Int

    /// The default ``preparedStatementCacheCapacity``.
    public static let defaultPreparedStatementCacheCapacity = 256

    /// Creates a configuration from a libpq connection string or URL.
    public init(url connectionString: String, preparedStatementCacheCapacity: Int = defaultPreparedStatementCacheCapacity) {
        precondition(preparedStatementCacheCapacity > 0, "the prepared-statement cache needs room for one statement")
        self.connectionString = connectionString
        self.preparedStatementCacheCapacity = preparedStatementCacheCapacity
    }
}

/// Options for ``PostgresClient``'s connection pool.
public struct PostgresPoolOptions: Sendable, Hashable {
    /// The most connections the pool opens.
    public var maximumConnections: Int
    /// How long `acquire` waits for a connection before failing with ``PostgresError/Code/poolTimeout``.
    public var acquireTimeout: Duration
    /// Requests one connection carries at a time outside transactions. 1 lends each connection to one
    /// caller; more lets concurrent callers share a connection, their statements pipelined (sent
    /// without waiting for the previous answer; each still its own implicit transaction).
    public var pipelineDepth: Int
    /// A connection idle longer than this is checked (socket read, liveness) before it is lent again.
    public var healthCheckAfterIdle: Duration

    /// Creates pool options.
    public init(
        maximumConnections: Int = 10, acquireTimeout: Duration = .seconds(10), pipelineDepth: Int = 1,
        healthCheckAfterIdle: Duration = .milliseconds(500)
    ) {
        precondition(maximumConnections > 0 && pipelineDepth > 0)
        self.maximumConnections = maximumConnections
        self.acquireTimeout = acquireTimeout
        self.pipelineDepth = pipelineDepth
        self.healthCheckAfterIdle = healthCheckAfterIdle
    }
}
