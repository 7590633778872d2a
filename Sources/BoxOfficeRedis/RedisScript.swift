/// A Lua script and its SHA-1, computed locally so `EVALSHA` can go first.
///
/// Keep scripts as constants; pass every key the script touches in `keys` (Redis Cluster needs
/// them to share one hash tag, e.g. `{ev:42}`).
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// The lower-case hex SHA-1 of ``source``, as `SCRIPT LOAD` returns it.
    public let sha1: String

    /// Creates a script from its Lua source.
    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(Array(source.utf8))
    }

    /// The `EVALSHA` command for this script.
    public func evalSHACommand(keys: [String], arguments: [any RedisArgument] = []) -> RedisCommand {
        Self.evalSHACommand(sha1: sha1, keys: keys, arguments: arguments)
    }

    /// The `SCRIPT LOAD` command for this script.
    public var loadCommand: RedisCommand { RedisCommand("SCRIPT", "LOAD", source) }

    static func evalSHACommand(sha1: String, keys: [String], arguments: [any RedisArgument]) -> RedisCommand {
        var command = RedisCommand("EVALSHA", sha1, keys.count)
        for key in keys { command.append(key) }
        for argument in arguments { command.append(argument) }
        return command
    }
}

/// The decisions of one script evaluation, as a value type without I/O: `EVALSHA` first; on
/// `NOSCRIPT`, `SCRIPT LOAD` and one more `EVALSHA`; on `LOADING`, wait with bounded backoff.
struct RedisScriptEvaluation {
    enum Action: Equatable {
        case sendEvalSHA
        case loadScript
        case retry(after: Duration)
        case succeed(RESPValue)
        case fail(RedisError)
    }

    let sha1: String
    let backoff: RedisBackoff
    let maxLoadingRetries: Int
    private var scriptLoads = 0
    private var loadingRetries = 0

    init(sha1: String, backoff: RedisBackoff = RedisBackoff(), maxLoadingRetries: Int = 8) {
        self.sha1 = sha1
        self.backoff = backoff
        self.maxLoadingRetries = maxLoadingRetries
    }

    func start() -> Action { .sendEvalSHA }

    /// The reply to `EVALSHA` arrived.
    mutating func evalReplied(_ reply: RESPValue) -> Action {
        guard case .error(let serverError) = reply else { return .succeed(reply) }
        switch serverError.prefix {
        case "NOSCRIPT" where scriptLoads == 0:
            return .loadScript
        case "LOADING":
            return retryWhileLoading(serverError)
        default:
            return .fail(RedisError(serverError))
        }
    }

    /// The reply to `SCRIPT LOAD` arrived.
    mutating func loadReplied(_ reply: RESPValue) -> Action {
        switch reply {
        case .error(let serverError) where serverError.prefix == "LOADING":
            return retryWhileLoading(serverError)
        case .error(let serverError):
            return .fail(RedisError(serverError))
        case _ where reply.string?.lowercased() == sha1:
            scriptLoads += 1
            return .sendEvalSHA
        default:
            return .fail(RedisError(code: .protocolViolation, message: "SCRIPT LOAD answered \(reply), expected \(sha1)"))
        }
    }

    /// The wait asked for by ``Action/retry(after:)`` is over.
    func retryElapsed() -> Action { .sendEvalSHA }

    private mutating func retryWhileLoading(_ serverError: RedisServerError) -> Action {
        guard loadingRetries < maxLoadingRetries else {
            return .fail(RedisError(code: .timeout,
                                    message: "Redis was still loading its dataset after \(loadingRetries) retries",
                                    serverError: serverError))
        }
        defer { loadingRetries += 1 }
        return .retry(after: backoff.delay(forAttempt: loadingRetries))
    }
}

extension RedisCommandSender {
    /// Runs `script` with `EVALSHA`; when the server does not know it (`NOSCRIPT`, e.g. after a
    /// restart) loads it with `SCRIPT LOAD` and retries once; while the server answers `LOADING`,
    /// retries with backoff (50 ms doubling to 2 s, at most 8 times).
    ///
    /// - Throws: ``RedisError``: the script's own error reply as ``RedisError/Code/serverError``,
    ///   ``RedisError/Code/timeout`` when loading lasts too long, connection errors as they come.
    public func evalScript(_ script: RedisScript, keys: [String], arguments: [any RedisArgument] = []) async throws -> RESPValue {
        var evaluation = RedisScriptEvaluation(sha1: script.sha1)
        var action = evaluation.start()
        while true {
            switch action {
            case .sendEvalSHA:
                action = evaluation.evalReplied(try await execute([script.evalSHACommand(keys: keys, arguments: arguments)])[0])
            case .loadScript:
                action = evaluation.loadReplied(try await execute([script.loadCommand])[0])
            case .retry(let delay):
                try await Task.sleep(for: delay)
                action = evaluation.retryElapsed()
            case .succeed(let reply):
                return reply
            case .fail(let error):
                throw error
            }
        }
    }
}
