public import Logging

/// Gives every call a request id and logs its start and end (status and duration).
///
/// The id is taken from the `x-request-id` request metadata (when it is a reasonable token) or
/// generated; it is put in ``ServerContext/requestID`` and as `rpc.request_id` in the context's
/// logger, and sent back to the client as `x-request-id` trailing metadata on failures.
public struct LoggingServerInterceptor: ServerInterceptor {
    /// The level of the per-call lines.
    public var level: Logger.Level

    /// Creates the interceptor; per-call lines are logged at `level` (debug by default).
    public init(level: Logger.Level = .debug) {
        self.level = level
    }

    public func intercept<Result: Sendable>(
        context: ServerContext, next: @Sendable (ServerContext) async throws -> Result
    ) async throws -> Result {
        var context = context
        let requestID = Self.requestID(from: context.metadata)
        context.requestID = requestID
        context.logger[metadataKey: "rpc.request_id"] = "\(requestID)"
        context.logger[metadataKey: "rpc.method"] = "\(context.path)"
        context.logger[metadataKey: "rpc.peer"] = "\(context.remotePeer)"
        context.logger.log(level: level, "rpc started")
        let started = ContinuousClock.now
        do {
            let result = try await next(context)
            context.logger.log(level: level, "rpc finished", metadata: [
                "rpc.status": "\(RPCError.Code.ok)", "rpc.duration_ms": "\(Self.milliseconds(ContinuousClock.now - started))",
            ])
            return result
        } catch {
            let status = Self.status(for: error)
            context.logger.log(level: level, "rpc failed", metadata: [
                "rpc.status": "\(status.code)", "rpc.message": "\(status.message)",
                "rpc.duration_ms": "\(Self.milliseconds(ContinuousClock.now - started))",
            ])
            if var rpcError = error as? RPCError {
                if rpcError.metadata[stringValues: "x-request-id"].isEmpty {
                    rpcError.metadata.addString(requestID, forKey: "x-request-id")
                }
                throw rpcError
            }
            throw RPCError(code: status.code, message: status.message, metadata: ["x-request-id": .string(requestID)],
                           cause: error)
        }
    }

    static func requestID(from metadata: Metadata) -> String {
        if let given = metadata.firstString(forKey: "x-request-id"), !given.isEmpty, given.utf8.count <= 128,
           given.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            return given
        }
        let random = UInt64.random(in: .min ... .max)
        let hex = String(random, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
