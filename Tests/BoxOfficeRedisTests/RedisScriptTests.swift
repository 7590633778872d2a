import Testing
@testable import BoxOfficeRedis

@Suite("Scripts: SHA-1 and the EVALSHA/NOSCRIPT/LOADING decisions")
struct RedisScriptTests {
    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("return 1", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"),
    ])
    func sha1KnownVectors(input: String, digest: String) {
        #expect(SHA1.hexDigest(Array(input.utf8)) == digest)
    }

    @Test func sha1OfAMillionAs() {
        #expect(SHA1.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    let sha = RedisScript("return 1").sha1
    let noScript = RESPValue.error(RedisServerError(reply: "NOSCRIPT No matching script. Please use EVAL."))
    let loading = RESPValue.error(RedisServerError(reply: "LOADING Redis is loading the dataset in memory"))

    @Test func knownScriptSucceedsAtOnce() {
        var evaluation = RedisScriptEvaluation(sha1: sha)
        #expect(evaluation.start() == .sendEvalSHA)
        #expect(evaluation.evalReplied(.integer(1)) == .succeed(.integer(1)))
    }

    @Test func noScriptLoadsAndRetriesOnce() {
        var evaluation = RedisScriptEvaluation(sha1: sha)
        #expect(evaluation.evalReplied(noScript) == .loadScript)
        #expect(evaluation.loadReplied(.bulkString(Array(sha.utf8))) == .sendEvalSHA)
        guard case .fail(let error) = evaluation.evalReplied(noScript) else {
            Issue.record("a second NOSCRIPT must fail, not loop")
            return
        }
        #expect(error.serverPrefix == "NOSCRIPT")
    }

    @Test func loadAnsweringAnotherShaIsAProtocolViolation() {
        var evaluation = RedisScriptEvaluation(sha1: sha)
        _ = evaluation.evalReplied(noScript)
        guard case .fail(let error) = evaluation.loadReplied(.bulkString(Array("0000".utf8))) else {
            Issue.record("must fail")
            return
        }
        #expect(error.code == .protocolViolation)
    }

    @Test func scriptErrorsAreServerErrors() {
        var evaluation = RedisScriptEvaluation(sha1: sha)
        guard case .fail(let error) = evaluation.evalReplied(.error(RedisServerError(reply: "WRONGTYPE Operation"))) else {
            Issue.record("must fail")
            return
        }
        #expect(error.code == .serverError)
        #expect(error.serverPrefix == "WRONGTYPE")
    }

    @Test func loadingRetriesWithBoundedBackoff() {
        let backoff = RedisBackoff(initial: .milliseconds(5), maximum: .milliseconds(20))
        var evaluation = RedisScriptEvaluation(sha1: sha, backoff: backoff, maxLoadingRetries: 4)
        var delays: [Duration] = []
        for _ in 0..<4 {
            guard case .retry(let delay) = evaluation.evalReplied(loading) else { Issue.record("must retry"); return }
            delays.append(delay)
            #expect(evaluation.retryElapsed() == .sendEvalSHA)
        }
        #expect(delays == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(20)])
        guard case .fail(let error) = evaluation.evalReplied(loading) else { Issue.record("retries must be bounded"); return }
        #expect(error.code == .timeout)
        #expect(error.serverPrefix == "LOADING")
    }

    @Test func loadingDuringScriptLoadRetriesToo() {
        var evaluation = RedisScriptEvaluation(sha1: sha, maxLoadingRetries: 2)
        _ = evaluation.evalReplied(noScript)
        guard case .retry = evaluation.loadReplied(loading) else { Issue.record("must retry"); return }
        #expect(evaluation.retryElapsed() == .sendEvalSHA)
        #expect(evaluation.evalReplied(noScript) == .loadScript)
    }

    @Test func evalSHACommandShape() {
        let script = RedisScript("return KEYS[1]")
        let command = script.evalSHACommand(keys: ["{ev:1}:a", "{ev:1}:b"], arguments: ["x", 5])
        #expect(command.arguments.map { String(decoding: $0, as: UTF8.self) }
            == ["EVALSHA", script.sha1, "2", "{ev:1}:a", "{ev:1}:b", "x", "5"])
    }
}
