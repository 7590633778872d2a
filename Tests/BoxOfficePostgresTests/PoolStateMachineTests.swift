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
        #expect(machine.openCount == 0)
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

    /// Two stand-in reactors (any two distinct objects give distinct identities).
    final class Home: Sendable {}
    static let homeA = Home(), homeB = Home()
    static let nearA = ObjectIdentifier(homeA), nearB = ObjectIdentifier(homeB)

    /// Opens `a` (near A) and `b` (near B) and returns both, idle.
    static func twoIdleConnections(pipelineDepth: Int, maximumConnections: Int = 4) -> (Machine, a: Int, b: Int) {
        var machine = Machine(maximumConnections: maximumConnections, pipelineDepth: pipelineDepth)
        _ = machine.acquire(exclusive: false, waiter: 1)
        let a = machine.created("a", exclusive: false, home: nearA)
        _ = machine.acquire(exclusive: false, waiter: 2)
        let b = machine.created("b", exclusive: false, home: nearB)
        _ = machine.release(a, keep: true, now: .now)
        _ = machine.release(b, keep: true, now: .now)
        return (machine, a, b)
    }

    @Test func idleLeasesPreferTheCallersReactorThenTheNewest() {
        var (machine, _, b) = Self.twoIdleConnections(pipelineDepth: 1, maximumConnections: 2)
        #expect(Self.leased(machine.acquire(exclusive: false, waiter: 3, near: Self.nearA))?.1 == "a")
        // Nothing near A is idle any more and the pool is full: the caller gets what there is
        // rather than waiting.
        #expect(Self.leased(machine.acquire(exclusive: true, waiter: 4, near: Self.nearA))?.1 == "b")
        _ = machine.release(b, keep: true, now: .now)
        // Without a preference the most recently released connection goes first.
        #expect(Self.leased(machine.acquire(exclusive: false, waiter: 5))?.1 == "b")
    }

    @Test func aCallerOpensANearConnectionRatherThanBorrowAFarOneWhileThePoolMayGrow() {
        var (machine, _, _) = Self.twoIdleConnections(pipelineDepth: 1)
        #expect(Self.leased(machine.acquire(exclusive: false, waiter: 3, near: Self.nearA))?.1 == "a")
        // Only b (near B) is idle, and the pool holds 2 of 4: a caller near A opens its own.
        guard case .grant(.create) = machine.acquire(exclusive: false, waiter: 4, near: Self.nearA) else {
            Issue.record("expected create"); return
        }
        #expect(machine.openCount == 2 && machine.creating == 1)
        // Without a preference an idle connection still beats a new one.
        #expect(Self.leased(machine.acquire(exclusive: false, waiter: 5))?.1 == "b")
        // Once the pool is full, a caller near A gets nothing new: it waits for a release.
        guard case .grant(.create) = machine.acquire(exclusive: false, waiter: 6, near: Self.nearA) else {
            Issue.record("expected create"); return
        }
        guard case .wait = machine.acquire(exclusive: false, waiter: 7, near: Self.nearA) else {
            Issue.record("expected wait"); return
        }
    }

    @Test func sharedLeasesPreferTheCallersReactorOverALighterConnection() {
        var (machine, _, _) = Self.twoIdleConnections(pipelineDepth: 4)
        #expect(Self.leased(machine.acquire(exclusive: false, waiter: 3, near: Self.nearB))?.1 == "b")
        #expect(Self.leased(machine.acquire(exclusive: false, waiter: 4, near: Self.nearB))?.1 == "b", "near beats idle")
        #expect(Self.leased(machine.acquire(exclusive: false, waiter: 5))?.1 == "a", "no preference: least loaded")
        #expect(Self.leased(machine.acquire(exclusive: false, waiter: 6))?.1 == "a", "one lease each side of 2: a has fewer")
        // An exclusive caller needs an idle connection: none is left, and the pool is not full.
        guard case .grant(.create) = machine.acquire(exclusive: true, waiter: 7, near: Self.nearA) else {
            Issue.record("expected create"); return
        }
    }

    @Test func aLateReleaseOfADroppedSharedConnectionLeavesItsSuccessorAlone() {
        var machine = Machine(maximumConnections: 1, pipelineDepth: 2)
        _ = machine.acquire(exclusive: false, waiter: 1)
        let first = machine.created("a", exclusive: false)
        #expect(Self.leased(machine.acquire(exclusive: false, waiter: 2))?.0 == first)
        // One of a's two callers saw it break and drops it; b takes its place.
        _ = machine.release(first, keep: false, now: .now)
        #expect(machine.openCount == 0)
        _ = machine.acquire(exclusive: false, waiter: 3)
        let second = machine.created("b", exclusive: false)
        #expect(second != first)
        #expect(machine.openCount == 1)
        // a's other caller returns its lease late: b must keep its own caller's lease.
        _ = machine.release(first, keep: true, now: .now)
        #expect(Self.leased(machine.acquire(exclusive: false, waiter: 4))?.1 == "b", "b has one lease of two")
        guard case .wait = machine.acquire(exclusive: false, waiter: 5) else { Issue.record("b is full"); return }
    }

    @Test func acquiringWithoutWaitingQueuesNobody() {
        var machine = Machine(maximumConnections: 1, pipelineDepth: 1)
        _ = machine.acquire(exclusive: false, waiter: 1)
        let slot = machine.created("a", exclusive: false)
        let none = machine.acquireWithoutWaiting(exclusive: false)
        #expect(none == nil)
        #expect(machine.waiterCount == 0)
        let served = machine.release(slot, keep: true, now: .now)
        #expect(served.isEmpty)
        #expect(Self.leased(machine.acquireWithoutWaiting(exclusive: true) ?? .wait)?.1 == "a")
        _ = machine.shutDown()
        guard case .closed? = machine.acquireWithoutWaiting(exclusive: false) else { Issue.record("expected closed"); return }
    }
}
