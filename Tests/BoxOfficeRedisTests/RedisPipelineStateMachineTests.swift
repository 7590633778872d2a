import Testing
@testable import BoxOfficeRedis

@Suite("Pipeline state machine")
struct RedisPipelineStateMachineTests {
    typealias Machine = RedisPipelineStateMachine<Int>

    private func expectWrite(_ action: Machine.EnqueueAction, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .write = action else {
            Issue.record("expected write, got \(action)", sourceLocation: sourceLocation)
            return
        }
    }

    private func succeeded(_ action: Machine.ReceiveAction) -> (Int, [RESPValue])? {
        if case .succeed(let waiter, let replies) = action { return (waiter, replies) }
        return nil
    }

    @Test func repliesMatchWaitersInOrder() {
        var machine = Machine()
        for waiter in 1...3 { expectWrite(machine.enqueue(waiter, commandCount: 1)) }
        #expect(machine.inFlightCount == 3)
        for waiter in 1...3 {
            let result = succeeded(machine.receive(.integer(Int64(waiter * 10))))
            #expect(result?.0 == waiter)
            #expect(result?.1 == [.integer(Int64(waiter * 10))])
        }
        #expect(machine.inFlightCount == 0)
    }

    @Test func batchCollectsAllItsReplies() {
        var machine = Machine()
        expectWrite(machine.enqueue(7, commandCount: 3))
        expectWrite(machine.enqueue(8, commandCount: 1))
        guard case .none = machine.receive(.simpleString("OK")) else { Issue.record("batch must wait"); return }
        guard case .none = machine.receive(.error(RedisServerError(reply: "ERR x"))) else { Issue.record("batch must wait"); return }
        let batch = succeeded(machine.receive(.integer(1)))
        #expect(batch?.0 == 7)
        #expect(batch?.1 == [.simpleString("OK"), .error(RedisServerError(reply: "ERR x")), .integer(1)])
        #expect(succeeded(machine.receive(.null))?.0 == 8)
    }

    @Test func unsolicitedReplyFailsEverythingAndCloses() {
        var machine = Machine()
        guard case .failAllAndClose(let waiters, let error) = machine.receive(.simpleString("OK")) else {
            Issue.record("a reply nobody asked for must close the connection")
            return
        }
        #expect(waiters.isEmpty)
        #expect(error.code == .protocolViolation)
        guard case .fail(9, let later) = machine.enqueue(9, commandCount: 1) else {
            Issue.record("a closed pipeline must refuse commands")
            return
        }
        #expect(later.code == .protocolViolation)
    }

    @Test func channelCloseFailsEveryPendingWaiterAndLaterOnes() {
        var machine = Machine()
        for waiter in 1...4 { expectWrite(machine.enqueue(waiter, commandCount: 2)) }
        _ = machine.receive(.integer(1))  // half of waiter 1's batch
        let (failed, error) = machine.channelClosed()
        #expect(failed == [1, 2, 3, 4])
        #expect(error.code == .connectionClosed)
        guard case .fail(5, let later) = machine.enqueue(5, commandCount: 1) else {
            Issue.record("commands after close must fail at once")
            return
        }
        #expect(later.code == .connectionClosed)
        guard case .none = machine.receive(.integer(2)) else { Issue.record("late bytes must be ignored"); return }
    }

    @Test func ioErrorFailsWithThatError() {
        var machine = Machine()
        expectWrite(machine.enqueue(1, commandCount: 1))
        let broken = RedisError(code: .protocolViolation, message: "bad bytes")
        #expect(machine.fail(broken) == [1])
        let (failed, error) = machine.channelClosed()
        #expect(failed.isEmpty)
        #expect(error == broken)
    }

    @Test func closeWhenIdleClosesNow() {
        var machine = Machine()
        guard case .closeNow = machine.close() else { Issue.record("idle close must be immediate"); return }
        guard case .none = machine.close() else { Issue.record("second close must do nothing"); return }
    }

    @Test func gracefulCloseWaitsForRepliesDue() {
        var machine = Machine()
        expectWrite(machine.enqueue(1, commandCount: 1))
        expectWrite(machine.enqueue(2, commandCount: 1))
        guard case .waitForReplies = machine.close() else { Issue.record("close must wait for replies"); return }
        guard case .fail(3, let refused) = machine.enqueue(3, commandCount: 1) else {
            Issue.record("a closing pipeline must refuse new commands")
            return
        }
        #expect(refused.code == .connectionClosed)
        #expect(succeeded(machine.receive(.integer(1)))?.0 == 1)
        guard case .succeedAndClose(2, [.integer(2)]) = machine.receive(.integer(2)) else {
            Issue.record("the last reply must close")
            return
        }
        #expect(machine.channelClosed().0.isEmpty)
    }

    @Test func subscriberConnectionDeliversPushMessages() {
        var machine = Machine(receivesPushMessages: true)
        expectWrite(machine.enqueue(1, commandCount: 1))
        let confirmation: RESPValue = .array([.bulkString(Array("subscribe".utf8)), .bulkString(Array("ch".utf8)), .integer(1)])
        #expect(succeeded(machine.receive(confirmation))?.0 == 1)
        let push: RESPValue = .array([.bulkString(Array("message".utf8)), .bulkString(Array("ch".utf8)), .bulkString([1, 2])])
        guard case .deliver(let message) = machine.receive(push) else { Issue.record("push must be delivered"); return }
        #expect(message == RedisPubSubMessage(channel: "ch", payload: [1, 2]))
        let patternPush: RESPValue = .array([.bulkString(Array("pmessage".utf8)), .bulkString(Array("c*".utf8)),
                                             .bulkString(Array("ch".utf8)), .bulkString([3])])
        guard case .deliver(let patterned) = machine.receive(patternPush) else { Issue.record("pmessage must be delivered"); return }
        #expect(patterned.pattern == "c*")
        #expect(patterned.channel == "ch")
    }

    @Test func ordinaryConnectionTreatsMessageArraysAsReplies() {
        var machine = Machine()
        expectWrite(machine.enqueue(1, commandCount: 1))
        let lookalike: RESPValue = .array([.bulkString(Array("message".utf8)), .bulkString([]), .bulkString([])])
        #expect(succeeded(machine.receive(lookalike))?.1 == [lookalike])
    }
}
