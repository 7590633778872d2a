public import Logging

/// Logs each call's start and end (method, request id, status, duration) and makes sure every
/// call carries a request id.
///
/// The request id is the call's `x-request-id` metadata when present, otherwise a fresh random
/// one that is added to the request so the server logs the same id. Starts and successes are
/// logged at `debug`, failures at `info`.
public struct ClientLoggingInterceptor: ClientInterceptor {
    /// The metadata key carrying the request id.
    public static let requestIDKey = "x-request-id"
    private let logger: Logger

    /// Creates the interceptor; it logs to `logger`.
    public init(logger: Logger) {
        self.logger = logger
    }

    public func intercept<Result: Sendable>(
        context: ClientInterceptorContext,
        next: (ClientInterceptorContext) async throws -> Result
    ) async throws -> Result {
        var context = context
        let requestID: String
        if let existing = context.metadata.firstString(forKey: Self.requestIDKey) {
            requestID = existing
        } else {
            requestID = Self.makeRequestID()
            context.metadata.addString(requestID, forKey: Self.requestIDKey)
        }
        var logger = self.logger
        logger[metadataKey: "rpc.method"] = "\(context.descriptor.path)"
        logger[metadataKey: "rpc.request_id"] = "\(requestID)"
        logger.debug("rpc started")
        let start = ContinuousClock.now
        do {
            let result = try await next(context)
            logger.debug("rpc finished", metadata: ["rpc.status": "ok", "rpc.duration": "\(ContinuousClock.now - start)"])
            return result
        } catch {
            logger.info("rpc failed", metadata: ["rpc.status": "\(statusCode(of: error))",
                                                 "rpc.duration": "\(ContinuousClock.now - start)",
                                                 "rpc.error": "\(error)"])
            throw error
        }
    }

    /// 128 random bits as 32 hex digits.
    static func makeRequestID() -> String {
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        // Not a local `SystemRandomNumberGenerator`: see `GRPCChannel`'s jitter generator (TSan and empty values).
        return hex(.random(in: .min ... .max)) + hex(.random(in: .min ... .max))
    }
}
