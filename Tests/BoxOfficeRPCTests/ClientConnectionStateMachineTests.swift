@testable import BoxOfficeRPC
import Testing

@Suite("Client connection state machine")
struct ClientConnectionStateMachineTests {
    typealias Machine = ClientConnectionStateMachine

    @Test func streamsOpenUpToTheServerLimit() {
        var machine = Machine()
        machine.settingsReceived(maxConcurrentStreams: 2)
        #expect(machine.mayOpenStream() == nil)
        machine.streamOpened(1)
        machine.streamOpened(3)
        #expect(machine.availableStreams == 0)
        #expect(machine.mayOpenStream() == .atConcurrencyLimit)
        #expect(machine.streamClosed(1) == .none)
        #expect(machine.mayOpenStream() == nil)
        #expect(machine.availableStreams == 1)
    }

    @Test func closingAnUnknownStreamIsHarmless() {
        var machine = Machine()
        #expect(machine.streamClosed(7) == .none)
        machine.streamOpened(1)
        #expect(machine.streamClosed(1) == .none)
        #expect(machine.streamClosed(1) == .none)
        #expect(machine.openStreams.isEmpty)
    }

    @Test func goAwayLetsProcessedStreamsFinishThenCloses() {
        var machine = Machine()
        machine.streamOpened(1)
        machine.streamOpened(3)
        machine.streamOpened(5)
        #expect(machine.goAwayReceived(lastStreamID: 3) == .none)
        #expect(machine.state == .draining)
        #expect(machine.mayOpenStream() == .draining)
        #expect(machine.availableStreams == 0)
        // nghttp2 closes stream 5 (REFUSED_STREAM); 1 and 3 finish normally.
        #expect(machine.streamClosed(5) == .none)
        #expect(machine.streamClosed(1) == .none)
        #expect(machine.streamClosed(3) == .close(failStreams: [], reason: "connection drained"))
        #expect(machine.state == .closed)
        #expect(machine.mayOpenStream() == .closed)
    }

    @Test func goAwayWithNothingProcessedClosesAtOnce() {
        var machine = Machine()
        machine.streamOpened(1)
        #expect(machine.goAwayReceived(lastStreamID: 0) == .close(failStreams: [1], reason: "server sent GOAWAY"))
        #expect(machine.goAwayReceived(lastStreamID: 0) == .none)
    }

    @Test func secondGoAwayLowersTheLastStream() {
        var machine = Machine()
        machine.streamOpened(1)
        machine.streamOpened(3)
        #expect(machine.goAwayReceived(lastStreamID: Int32.max) == .none)
        #expect(machine.streamClosed(3) == .none)
        #expect(machine.goAwayReceived(lastStreamID: 1) == .none)
        #expect(machine.streamClosed(1) == .close(failStreams: [], reason: "connection drained"))
    }

    @Test func gracefulCloseDrains() {
        var idle = Machine()
        #expect(idle.beginGracefulClose() == .sendGoAway(thenClose: true))
        #expect(idle.state == .closed)
        #expect(idle.beginGracefulClose() == .none)

        var busy = Machine()
        busy.streamOpened(1)
        #expect(busy.beginGracefulClose() == .sendGoAway(thenClose: false))
        #expect(busy.mayOpenStream() == .draining)
        #expect(busy.streamClosed(1) == .close(failStreams: [], reason: "connection drained"))
    }

    @Test func keepalivePingsOnlyWithCallsByDefault() {
        var machine = Machine()
        #expect(machine.keepaliveTimerFired() == .none)
        machine.streamOpened(1)
        #expect(machine.keepaliveTimerFired() == .sendPing(opaque: 1))
        // One ping in flight at a time.
        #expect(machine.keepaliveTimerFired() == .none)
        machine.pingAcknowledged(opaque: 1)
        #expect(machine.pingTimeoutFired(opaque: 1) == .none)
        #expect(machine.keepaliveTimerFired() == .sendPing(opaque: 2))
    }

    @Test func keepaliveWithoutCallsPingsWhenIdle() {
        var machine = Machine(keepaliveWithoutCalls: true)
        #expect(machine.keepaliveTimerFired() == .sendPing(opaque: 1))
    }

    @Test func unansweredPingClosesAndFailsOpenStreams() {
        var machine = Machine()
        machine.streamOpened(3)
        machine.streamOpened(1)
        #expect(machine.keepaliveTimerFired() == .sendPing(opaque: 1))
        machine.pingAcknowledged(opaque: 99)  // not ours
        #expect(machine.pingTimeoutFired(opaque: 1)
            == .close(failStreams: [1, 3], reason: "keepalive ping not answered in time"))
        #expect(machine.state == .closed)
        #expect(machine.keepaliveTimerFired() == .none)
    }

    @Test func protocolErrorClosesOnce() {
        var machine = Machine()
        machine.streamOpened(1)
        #expect(machine.protocolError("bad") == .close(failStreams: [1], reason: "bad"))
        #expect(machine.protocolError("bad") == .none)
    }

    @Test func channelInactiveReturnsOpenStreams() {
        var machine = Machine()
        machine.streamOpened(5)
        machine.streamOpened(1)
        #expect(machine.channelInactive() == [1, 5])
        #expect(machine.openStreams.isEmpty)
        #expect(machine.mayOpenStream() == .closed)
    }
}
