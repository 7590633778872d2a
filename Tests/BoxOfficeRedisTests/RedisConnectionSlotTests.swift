import Testing
@testable import BoxOfficeRedis

@Suite("Connection slot (reconnect) state machine")
struct RedisConnectionSlotTests {
    final class FakeConnection {}
    typealias Slot = RedisConnectionSlot<FakeConnection>
    let backoff = RedisBackoff(initial: .milliseconds(10), maximum: .milliseconds(40))

    @Test func firstConnectSucceeds() {
        var slot = Slot(backoff: backoff)
        #expect(slot.connection == nil)
        let connection = FakeConnection()
        guard case .none = slot.connectSucceeded(connection) else { Issue.record("nothing to do"); return }
        #expect(slot.connection === connection)
    }

    @Test func failuresBackOffExponentiallyUpToTheCap() {
        var slot = Slot(backoff: backoff)
        var delays: [Duration] = []
        for _ in 0..<5 {
            guard case .scheduleReconnect(let delay) = slot.connectFailed() else { Issue.record("must back off"); return }
            delays.append(delay)
            guard case .connect = slot.reconnectTimerFired() else { Issue.record("timer must reconnect"); return }
        }
        #expect(delays == [.milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(40), .milliseconds(40)])
    }

    @Test func lostConnectionReconnectsAtOnceAndSuccessResetsBackoff() {
        let first = FakeConnection()
        var slot = Slot(connection: first, backoff: backoff)
        guard case .connect = slot.connectionClosed(first) else { Issue.record("must reconnect at once"); return }
        #expect(slot.connection == nil)
        _ = slot.connectFailed()
        _ = slot.reconnectTimerFired()
        let second = FakeConnection()
        _ = slot.connectSucceeded(second)
        guard case .connect = slot.connectionClosed(second) else { Issue.record("must reconnect at once"); return }
        guard case .scheduleReconnect(let delay) = slot.connectFailed() else { Issue.record("must back off"); return }
        #expect(delay == .milliseconds(10))
    }

    @Test func staleCloseNoticeIsIgnored() {
        let old = FakeConnection()
        let current = FakeConnection()
        var slot = Slot(connection: current, backoff: backoff)
        guard case .none = slot.connectionClosed(old) else { Issue.record("stale notice must be ignored"); return }
        #expect(slot.connection === current)
    }

    @Test func shutdownClosesTheConnectionAndStopsReconnecting() {
        let connection = FakeConnection()
        var slot = Slot(connection: connection, backoff: backoff)
        guard case .close(let closed) = slot.shutdown() else { Issue.record("must close"); return }
        #expect(closed === connection)
        guard case .none = slot.connectionClosed(connection) else { Issue.record("no reconnect after shutdown"); return }
    }

    @Test func connectionArrivingAfterShutdownIsClosed() {
        var slot = Slot(backoff: backoff)
        guard case .none = slot.shutdown() else { Issue.record("nothing to close yet"); return }
        let late = FakeConnection()
        guard case .close(let closed) = slot.connectSucceeded(late) else { Issue.record("late connection must be closed"); return }
        #expect(closed === late)
        #expect(slot.connection == nil)
    }

    @Test func failuresAndTimersAfterShutdownDoNothing() {
        var slot = Slot(backoff: backoff)
        _ = slot.connectFailed()
        _ = slot.shutdown()
        guard case .none = slot.reconnectTimerFired() else { Issue.record("no reconnect after shutdown"); return }
        var other = Slot(backoff: backoff)
        _ = other.shutdown()
        guard case .none = other.connectFailed() else { Issue.record("no backoff after shutdown"); return }
    }

    @Test func backoffSchedule() {
        let schedule = RedisBackoff(initial: .milliseconds(50), maximum: .seconds(2))
        #expect((0..<8).map(schedule.delay(forAttempt:)) == [
            .milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400),
            .milliseconds(800), .milliseconds(1600), .seconds(2), .seconds(2),
        ])
        #expect(schedule.delay(forAttempt: 1_000_000) == .seconds(2))
    }
}
