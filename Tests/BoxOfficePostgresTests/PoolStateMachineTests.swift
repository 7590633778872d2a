@testable import BoxOfficePostgres
import Testing

@Suite("Pool state machine (no I/O)")
struct PoolStateMachineTests {
    typealias Machine = PoolStateMachine<String>

    static func leased(_ action: Machine.AcquireAction) -> (Int, String)? {
        if case .grant(.lease(let slot, let connection, _)) = action { return (slot, connection) }
        return nil
    }

    @Test func createsUpToTheMaximumThenQueues() {
        var machine = Machine(maximumConnections: 2, pipelineDepth: 1)
        guard case .grant(.create) = machine.acquire(exclusive: false, waiter: 1) else { Issue.record("expected create"); return }
        let a = machine.created("a", exclusive: false)
        guard case .grant(.create) = machine.acquire(exclusive: false, waiter: 2) else { Issue.record("expected create"); return }
        _ = machine.created("b", exclusive: false)
        guard case .wait = machine.acquire(exclusive: false, waiter: 3) else { Issue.record("expected wait"); return }
        #expect(machine.waiterCount == 1)
        let served = machine.release(a, keep: true, now: .now)
        #expect(served.count == 1)
        #expect(served.first?.0 == 3)
        if case .lease(_, let connection, let idleSince)? = served.first?.1 {
            #expect(connection == "a")
            #expect(idleSince != nil)
        } else {
            Issue.record("expected the released connection to go to the waiter")
        }
    }

    @Test func sharedLeasesPipelineUpToTheDepthButExclusiveLeasesWaitForIdle() {
        var machine = Machine(maximumConnections: 1, pipelineDepth: 3)
        _ = machine.acquire(exclusive: false, waiter: 1)
        let slot = machine.created("a", exclusive: false)
        #expect(Self.leased(machine.acquire(exclusive: false, waiter: 2))?.1 == "a")
        #expect(Self.leased(machine.acquire(exclusive: false, waiter: 3))?.1 == "a")
        guard case .wait = machine.acquire(exclusive: false, waiter: 4) else { Issue.record("depth exceeded"); return }
        guard case .wait = machine.acquire(exclusive: true, waiter: 5) else { Issue.record("exclusive must wait"); return }
        // One release frees one shared place: waiter 4 takes it; the exclusive waiter 5 still waits (FIFO).
        let outcome1 = machine.release(slot, keep: true, now: .now)
        #expect(outcome1.map(\.0) == [4])
        let outcome2 = machine.release(slot, keep: true, now: .now)
        #expect(outcome2.isEmpty)
        let outcome3 = machine.release(slot, keep: true, now: .now)
        #expect(outcome3.isEmpty)
        let outcome4 = machine.release(slot, keep: true, now: .now)
        #expect(outcome4.map(\.0) == [5])
        guard case .wait = machine.acquire(exclusive: false, waiter: 6) else { Issue.record("exclusive holds it alone"); return }
    }

    @Test func aDroppedConnectionLetsAWaiterCreateANewOne() {
        var machine = Machine(maximumConnections: 1, pipelineDepth: 1)
        _ = machine.acquire(exclusive: true, waiter: 1)
        let slot = machine.created("a", exclusive: true)
        _ = machine.acquire(exclusive: true, waiter: 2)
        let served = machine.release(slot, keep: false, now: .now)
        #expect(served.count == 1)
        guard case .create? = served.first?.1 else { Issue.record("expected create for the waiter"); return }
        #expect(machine.slots.isEmpty)
        #expect(machine.creating == 1)
        // Creation fails: capacity is returned, nobody else waits.
        let outcome5 = machine.creationFailed()
        #expect(outcome5.isEmpty)
        #expect(machine.creating == 0)
    }

    @Test func timedOutWaitersAreRemovedAndShutdownFailsTheRest() {
        var machine = Machine(maximumConnections: 1, pipelineDepth: 1)
        _ = machine.acquire(exclusive: false, waiter: 1)
        _ = machine.created("a", exclusive: false)
        _ = machine.acquire(exclusive: false, waiter: 2)
        _ = machine.acquire(exclusive: false, waiter: 3)
        let outcome6 = machine.cancelWaiter(2)
        #expect(outcome6)
        let cancelledAgain = machine.cancelWaiter(2)
        #expect(!cancelledAgain)
        let (connections, waiters) = machine.shutDown()
        #expect(connections == ["a"])
        #expect(waiters == [3])
        guard case .closed = machine.acquire(exclusive: false, waiter: 4) else { Issue.record("expected closed"); return }
    }
}
