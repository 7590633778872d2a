extension CallOptions {
    /// Options for a call made while serving `context`: the outgoing call gets at most the
    /// incoming call's remaining budget, and carries its request id (`x-request-id`) so the logs
    /// of both services line up.
    ///
    /// ``GRPCServer`` sets ``RPCDeadline/current`` around handlers, which makes the deadline part
    /// automatic; this initializer makes it explicit and adds the request id.
    public init(inheriting context: ServerContext, timeout: Duration? = nil, metadata: Metadata = [:],
                waitForReady: Bool = false) {
        var metadata = metadata
        if let requestID = context.requestID, metadata.firstString(forKey: ClientLoggingInterceptor.requestIDKey) == nil {
            metadata.addString(requestID, forKey: ClientLoggingInterceptor.requestIDKey)
        }
        self.init(timeout: timeout, deadline: context.deadline, metadata: metadata, waitForReady: waitForReady)
    }
}
