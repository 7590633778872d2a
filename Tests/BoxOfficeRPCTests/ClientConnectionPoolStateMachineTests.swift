import BoxOfficeLocks
@testable import BoxOfficeRPC
import Testing

/// A pooled-connection stand-in with a fixed number of stream slots.
final class PoolTestConnection: PooledConnection {
    let name: String
    private let slots: AnnotatedMutex<Int>

    init(_ name: String, slots: Int = 100) {
        self.name = name
        self.slots = AnnotatedMutex(slots)
    }

    func reserveStream() -> Bool {
        slots.withLock { slots in
            guard slots > 0 else { return false }
            slots -= 1
            return true
        }
    }
}

@Suite("Client connection pool state machine")
struct ClientConnectionPoolStateMachineTests {
    typealias Machine = ConnectionPoolStateMachine<PoolTestConnection>
    let now = ContinuousClock.now

    private func connect(_ decision: Machine.Decision) -> Machine.Attempt? {
        if case .connect(let attempt) = decision { attempt } else { nil }
    }

    private func used(_ decision: Machine.Decision) -> String? {
        if case .use(let connection) = decision { connection.name } else { nil }
    }

    @Test func firstCallConnectsOthersWaitThenUseIt() throws {
        var machine = Machine(endpointCount: 1, connectionsPerEndpoint: 1)
        let attempt = try #require(connect(machine.pick(now: now)))
        guard case .wait(let waited) = machine.pick(now: now) else {
            Issue.record("second call should wait for the attempt")
            return
        }
        #expect(waited == attempt)
        let kept = machine.connectSucceeded(attempt, connection: PoolTestConnection("a"))
        #expect(kept)
        #expect(used(machine.pick(now: now)) == "a")
    }

    @Test func poolFillsEverySlotBeforeSharing() throws {
        var machine = Machine(endpointCount: 1, connectionsPerEndpoint: 2)
        let first = try #require(connect(machine.pick(now: now)))
        let second = try #require(connect(machine.pick(now: now)))
        #expect(first.slot != second.slot)
        _ = machine.connectSucceeded(first, connection: PoolTestConnection("one"))
        _ = machine.connectSucceeded(second, connection: PoolTestConnection("two"))
        let names = (0..<4).compactMap { _ in used(machine.pick(now: now)) }
        #expect(Set(names) == ["one", "two"])
        #expect(names.count == 4)
    }

    @Test func endpointsAreUsedRoundRobin() throws {
        var machine = Machine(endpointCount: 3, connectionsPerEndpoint: 1)
        for name in ["a", "b", "c"] {
            let attempt = try #require(connect(machine.pick(now: now)))
            _ = machine.connectSucceeded(attempt, connection: PoolTestConnection(name))
        }
        let names = (0..<6).compactMap { _ in used(machine.pick(now: now)) }
        #expect(names == ["a", "b", "c", "a", "b", "c"])
    }

    @Test func failedEndpointIsSkippedUntilItsBackoffPasses() throws {
        var machine = Machine(endpointCount: 2, connectionsPerEndpoint: 1)
        let down = try #require(connect(machine.pick(now: now)))
        #expect(down.endpoint == 0)
        machine.connectFailed(down, reason: "refused", now: now) { _ in .seconds(1) }
        #expect(machine.isBackingOff(endpoint: 0, now: now))
        let up = try #require(connect(machine.pick(now: now)))
        #expect(up.endpoint == 1)
        _ = machine.connectSucceeded(up, connection: PoolTestConnection("b"))
        // Every call now goes to the healthy endpoint while the other backs off.
        #expect((0..<4).compactMap { _ in used(machine.pick(now: now)) } == ["b", "b", "b", "b"])
        // After the backoff, the failed endpoint is tried again.
        let later = now + .seconds(2)
        let retried = (0..<2).compactMap { _ in connect(machine.pick(now: later)) }
        #expect(retried.map(\.endpoint) == [0])
    }

    @Test func backoffGrowsWithConsecutiveFailuresAndResetsOnSuccess() throws {
        var machine = Machine(endpointCount: 1, connectionsPerEndpoint: 1)
        var delays: [Int] = []
        var clock = now
        for _ in 0..<3 {
            let attempt = try #require(connect(machine.pick(now: clock)))
            machine.connectFailed(attempt, reason: "refused", now: clock) { failures in
                delays.append(failures)
                return .seconds(failures)
            }
            guard case .unavailable(let retryAt?, let reason) = machine.pick(now: clock) else {
                Issue.record("expected unavailable while backing off")
                return
            }
            #expect(reason == "refused")
            #expect(retryAt == clock + .seconds(delays.last!))
            clock = retryAt
        }
        #expect(delays == [1, 2, 3])
        let attempt = try #require(connect(machine.pick(now: clock)))
        _ = machine.connectSucceeded(attempt, connection: PoolTestConnection("a"))
        #expect(machine.consecutiveFailures(endpoint: 0) == 0)
    }

    @Test func closedConnectionFreesItsSlotForReconnect() throws {
        var machine = Machine(endpointCount: 1, connectionsPerEndpoint: 1)
        let attempt = try #require(connect(machine.pick(now: now)))
        let connection = PoolTestConnection("a")
        _ = machine.connectSucceeded(attempt, connection: connection)
        machine.connectionClosed(attempt, connection: PoolTestConnection("other"))  // not in the slot: ignored
        #expect(used(machine.pick(now: now)) == "a")
        machine.connectionClosed(attempt, connection: connection)
        #expect(connect(machine.pick(now: now)) != nil)
    }

    @Test func unhealthyConnectionBacksOffItsEndpoint() throws {
        var machine = Machine(endpointCount: 2, connectionsPerEndpoint: 1)
        let first = try #require(connect(machine.pick(now: now)))
        let second = try #require(connect(machine.pick(now: now)))
        let sick = PoolTestConnection("a")
        _ = machine.connectSucceeded(first, connection: sick)
        _ = machine.connectSucceeded(second, connection: PoolTestConnection("b"))
        machine.connectionFailed(first, connection: sick, reason: "keepalive", now: now) { _ in .seconds(5) }
        #expect(machine.isBackingOff(endpoint: first.endpoint, now: now))
        #expect((0..<3).compactMap { _ in used(machine.pick(now: now)) } == ["b", "b", "b"])
    }

    @Test func saturatedConnectionsAreReported() throws {
        var machine = Machine(endpointCount: 1, connectionsPerEndpoint: 1)
        let attempt = try #require(connect(machine.pick(now: now)))
        _ = machine.connectSucceeded(attempt, connection: PoolTestConnection("a", slots: 1))
        #expect(used(machine.pick(now: now)) == "a")
        guard case .unavailable(nil, _) = machine.pick(now: now) else {
            Issue.record("expected saturation")
            return
        }
    }

    @Test func lateOutcomesAfterCloseAreRejected() throws {
        var machine = Machine(endpointCount: 1, connectionsPerEndpoint: 2)
        let attempt = try #require(connect(machine.pick(now: now)))
        let other = try #require(connect(machine.pick(now: now)))
        _ = machine.connectSucceeded(other, connection: PoolTestConnection("b"))
        #expect(machine.close().map(\.name) == ["b"])
        let keptAfterClose = machine.connectSucceeded(attempt, connection: PoolTestConnection("a"))
        #expect(!keptAfterClose)
        guard case .closed = machine.pick(now: now) else {
            Issue.record("expected closed")
            return
        }
    }

    @Test func staleAttemptOutcomeIsIgnored() throws {
        var machine = Machine(endpointCount: 1, connectionsPerEndpoint: 1)
        let attempt = try #require(connect(machine.pick(now: now)))
        machine.connectFailed(attempt, reason: "x", now: now) { _ in .zero }
        let retry = try #require(connect(machine.pick(now: now)))
        #expect(retry != attempt)
        let keptStale = machine.connectSucceeded(attempt, connection: PoolTestConnection("stale"))
        let keptFresh = machine.connectSucceeded(retry, connection: PoolTestConnection("fresh"))
        #expect(!keptStale)
        #expect(keptFresh)
        #expect(used(machine.pick(now: now)) == "fresh")
    }
}

@Suite("Connection health check encoding")
struct ConnectionHealthCheckEncodingTests {
    @Test func requestCarriesTheServiceName() {
        #expect(ConnectionHealthCheck.encodeRequest(service: "") == [])
        #expect(ConnectionHealthCheck.encodeRequest(service: "a.B") == [0x0a, 3] + Array("a.B".utf8))
    }

    @Test func statusIsReadAndUnknownFieldsSkipped() {
        #expect(ConnectionHealthCheck.decodeStatus([]) == 0)
        #expect(ConnectionHealthCheck.decodeStatus([0x08, 1]) == 1)
        #expect(ConnectionHealthCheck.decodeStatus([0x08, 2]) == 2)
        #expect(ConnectionHealthCheck.decodeStatus([0x12, 2, 0x41, 0x42, 0x08, 1, 0x1d, 0, 0, 0, 0]) == 1)
        #expect(ConnectionHealthCheck.decodeStatus([0x08]) == nil)
        #expect(ConnectionHealthCheck.decodeStatus([0x12, 5, 1]) == nil)
    }
}

@Suite("Connection backoff")
struct ConnectionBackoffTests {
    @Test func growsByTheMultiplierUpToTheMaximum() {
        let backoff = ConnectionBackoff(initial: .seconds(1), multiplier: 2, jitter: 0, maximum: .seconds(5))
        #expect((1...5).map { backoff.baseDelay(afterFailures: $0) }
            == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
    }

    @Test func jitterStaysWithinItsBand() {
        let backoff = ConnectionBackoff(initial: .seconds(10), multiplier: 1.6, jitter: 0.2, maximum: .seconds(120))
        var random = SystemRandomNumberGenerator()
        var seen = Set<Duration>()
        for _ in 0..<200 {
            let delay = backoff.delay(afterFailures: 1, using: &random)
            #expect(delay >= .seconds(8) && delay <= .seconds(12))
            seen.insert(delay)
        }
        #expect(seen.count > 1)
    }
}

@Suite("Client endpoint")
struct ClientEndpointTests {
    @Test func parsesHostAndPort() {
        #expect(ClientEndpoint("127.0.0.1:50051") == ClientEndpoint(host: "127.0.0.1", port: 50051))
        #expect(ClientEndpoint("inventory:80") == ClientEndpoint(host: "inventory", port: 80))
        #expect(ClientEndpoint("[::1]:8080") == ClientEndpoint(host: "::1", port: 8080))
        #expect(ClientEndpoint("[::1]:8080")?.authority == "[::1]:8080")
    }

    @Test(arguments: ["", "host", ":80", "host:", "host:70000", "host:x"])
    func rejectsMalformed(text: String) {
        #expect(ClientEndpoint(text) == nil)
    }
}
