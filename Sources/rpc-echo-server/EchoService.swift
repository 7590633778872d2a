import BoxOfficeRPC

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Flushes stdout so a parent process sees the port line at once.
func fflushStdout() { fflush(nil) }

/// The echo methods, on raw bytes (service `echo.Echo`).
///
/// Request metadata controls the answer: keys starting with `x-echo-` come back in the initial
/// metadata, keys starting with `x-trailer-` in the trailing metadata; `x-status-code` (with an
/// optional UTF-8 `x-status-message-bin`) makes the call fail with that status.
enum EchoService {
    static func router() -> RPCRouter {
        var router = RPCRouter()
        router.registerUnary(path: "/echo.Echo/Unary") { request, context in
            try failIfAsked(context)
            return ServerResponse(message: request.message, metadata: echoed(context, prefix: "x-echo-"),
                                  trailingMetadata: echoed(context, prefix: "x-trailer-"))
        }
        router.registerServerStreaming(path: "/echo.Echo/ServerStream") { request, context in
            StreamingServerResponse(metadata: echoed(context, prefix: "x-echo-")) { writer in
                let count = context.metadata.firstString(forKey: "x-count").flatMap { Int($0) } ?? 3
                for _ in 0..<count { try await writer.write(request.message) }
                try failIfAsked(context)
                return echoed(context, prefix: "x-trailer-")
            }
        }
        router.registerClientStreaming(path: "/echo.Echo/ClientStream") { request, context in
            var all: [UInt8] = []
            for try await message in request.messages { all += message }
            try failIfAsked(context)
            return ServerResponse(message: all, metadata: echoed(context, prefix: "x-echo-"),
                                  trailingMetadata: echoed(context, prefix: "x-trailer-"))
        }
        router.registerBidirectionalStreaming(path: "/echo.Echo/Bidi") { request, context in
            StreamingServerResponse(metadata: echoed(context, prefix: "x-echo-")) { writer in
                for try await message in request.messages { try await writer.write(message) }
                try failIfAsked(context)
                return echoed(context, prefix: "x-trailer-")
            }
        }
        // Answers the handler's remaining time budget in milliseconds ("none" without a deadline).
        router.registerUnary(path: "/echo.Echo/Deadline") { _, context in
            let remaining = context.remainingTime.map { String($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) }
            return ServerResponse(message: Array((remaining ?? "none").utf8))
        }
        // Sleeps until cancelled (by deadline or RST_STREAM), at most `x-sleep-ms` (default 60 s).
        router.registerUnary(path: "/echo.Echo/Sleep") { request, context in
            let milliseconds = context.metadata.firstString(forKey: "x-sleep-ms").flatMap { Int($0) } ?? 60_000
            try await Task.sleep(for: .milliseconds(milliseconds))
            return ServerResponse(message: request.message)
        }
        return router
    }

    private static func echoed(_ context: ServerContext, prefix: String) -> Metadata {
        var metadata = Metadata()
        // Bytewise: keys are lower-case ASCII, and String.hasPrefix compares Unicode characters.
        for element in context.metadata where element.key.utf8.starts(with: prefix.utf8) {
            metadata.add(key: element.key, value: element.value)
        }
        return metadata
    }

    private static func failIfAsked(_ context: ServerContext) throws {
        guard let code = context.metadata.firstString(forKey: "x-status-code").flatMap({ Int($0) }) else { return }
        let message = context.metadata[binaryValues: "x-status-message-bin"].first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        throw RPCError(code: RPCError.Code(rawValue: code), message: message,
                       metadata: echoed(context, prefix: "x-trailer-"))
    }
}
