@testable import BoxOfficePostgres
import Testing

@Suite("Connection call state machine (no I/O)")
struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine

    @Test func pipelinedCallsGoOutAtOnceAndCompleteInAnyOrderTheServerAnswers() {
        var machine = Machine()
        #expect(machine.submit(1, .pipelined, taskIsCancelled: false) == .send)
        #expect(machine.submit(2, .pipelined, taskIsCancelled: false) == .send)
        #expect(machine.inFlightCount == 2)
        #expect(machine.completed(1) == .resume)
        #expect(machine.completed(2) == .resume)
        #expect(machine.isIdle)
    }

    @Test func aSimpleQueryWaitsForCallsInFlightAndHoldsBackLaterOnes() {
        var machine = Machine()
        #expect(machine.submit(1, .pipelined, taskIsCancelled: false) == .send)
        #expect(machine.submit(2, .simpleQuery, taskIsCancelled: false) == .queue)
        #expect(machine.submit(3, .pipelined, taskIsCancelled: false) == .queue)
        #expect(machine.takeSendable().isEmpty)
        #expect(machine.completed(1) == .resume)
        #expect(machine.takeSendable().map(\.id) == [2])
        #expect(machine.takeSendable().isEmpty, "nothing joins a simple query")
        #expect(machine.completed(2) == .resume)
        #expect(machine.takeSendable().map(\.id) == [3])
    }

    @Test func aCancelledTaskIsRefusedBeforeSendingButItsRollbackIsNot() {
        var machine = Machine()
        #expect(machine.submit(1, .pipelined, taskIsCancelled: true) == .reject(.cancelled))
        #expect(machine.submit(2, .simpleQuery, taskIsCancelled: true) == .send)
    }

    @Test func cancellingAQueuedCallDropsItWithoutTheServer() {
        var machine = Machine()
        _ = machine.submit(1, .simpleQuery, taskIsCancelled: false)
        #expect(machine.submit(2, .pipelined, taskIsCancelled: false) == .queue)
        #expect(machine.cancel(2) == .resumeWithCancellation)
        #expect(machine.completed(1) == .resume)
        #expect(machine.takeSendable().isEmpty)
        #expect(machine.isIdle)
    }

    @Test func theSoleCallInFlightGetsAServerCancelAndNothingIsSentUntilItIsSettled() {
        var machine = Machine()
        _ = machine.submit(1, .pipelined, taskIsCancelled: false)
        #expect(machine.cancel(1) == .sendCancelRequest)
        #expect(machine.cancel(1) == .none, "a second cancellation changes nothing")
        // While the cancel request travels, new calls wait: it must not stop them.
        #expect(machine.submit(2, .pipelined, taskIsCancelled: false) == .queue)
        #expect(machine.completed(1) == .resume, "the caller gets the server's answer (57014)")
        #expect(machine.takeSendable().isEmpty, "the request may still be on its way")
        machine.cancelRequestDelivered()
        #expect(machine.takeSendable().map(\.id) == [2])
    }

    @Test func aServerCancelDeliveredBeforeTheAnswerWaitsForTheAnswer() {
        var machine = Machine()
        _ = machine.submit(1, .pipelined, taskIsCancelled: false)
        #expect(machine.cancel(1) == .sendCancelRequest)
        machine.cancelRequestDelivered()
        #expect(machine.submit(2, .pipelined, taskIsCancelled: false) == .queue)
        #expect(machine.completed(1) == .resume)
        #expect(machine.takeSendable().map(\.id) == [2])
    }

    @Test func aPipelinedCallIsAbandonedWithoutTouchingItsNeighbours() {
        var machine = Machine()
        _ = machine.submit(1, .pipelined, taskIsCancelled: false)
        _ = machine.submit(2, .pipelined, taskIsCancelled: false)
        _ = machine.submit(3, .pipelined, taskIsCancelled: false)
        #expect(machine.cancel(2) == .resumeWithCancellation)
        #expect(machine.cancel(2) == .none)
        // Others keep flowing: nothing is paused by an abandoned call.
        #expect(machine.submit(4, .pipelined, taskIsCancelled: false) == .send)
        #expect(machine.completed(1) == .resume)
        #expect(machine.completed(2) == .discard)
        #expect(machine.completed(3) == .resume)
        #expect(machine.completed(4) == .resume)
        #expect(machine.isIdle)
    }

    @Test func aCallWhoseOnlyNeighboursAreAbandonedIsCancelledOnTheServer() {
        var machine = Machine()
        _ = machine.submit(1, .pipelined, taskIsCancelled: false)
        _ = machine.submit(2, .pipelined, taskIsCancelled: false)
        #expect(machine.cancel(1) == .resumeWithCancellation)
        // Call 2 is now the only one whose caller waits: a server cancel can only stop abandoned work besides it.
        #expect(machine.cancel(2) == .sendCancelRequest)
    }

    @Test func whileAServerCancelIsPendingOtherCancelledCallsAreAbandoned() {
        var machine = Machine()
        _ = machine.submit(1, .pipelined, taskIsCancelled: false)
        #expect(machine.cancel(1) == .sendCancelRequest)
        _ = machine.submit(2, .pipelined, taskIsCancelled: false)  // queued behind the cancel
        #expect(machine.cancel(2) == .resumeWithCancellation)
        machine.cancelRequestDelivered()
        #expect(machine.completed(1) == .resume)
        #expect(machine.takeSendable().isEmpty)
        #expect(machine.isIdle)
    }

    @Test func simpleQueriesAreNotCancellable() {
        var machine = Machine()
        _ = machine.submit(1, .simpleQuery, taskIsCancelled: false)
        #expect(machine.cancel(1) == .none)
        #expect(machine.completed(1) == .resume)
    }

    @Test func aFailedConnectionFailsEveryWaitingCallerButNotAbandonedOnes() {
        var machine = Machine()
        _ = machine.submit(1, .pipelined, taskIsCancelled: false)
        _ = machine.submit(2, .pipelined, taskIsCancelled: false)
        _ = machine.submit(3, .simpleQuery, taskIsCancelled: false)
        #expect(machine.cancel(1) == .resumeWithCancellation)
        #expect(machine.connectionFailed() == [2, 3])
        #expect(machine.isClosed)
        #expect(machine.submit(4, .pipelined, taskIsCancelled: false) == .reject(.closed))
        #expect(machine.close() == [])
    }

    @Test func closingFailsQueuedAndInFlightCalls() {
        var machine = Machine()
        _ = machine.submit(1, .pipelined, taskIsCancelled: false)
        #expect(machine.cancel(1) == .sendCancelRequest)
        _ = machine.submit(2, .pipelined, taskIsCancelled: false)
        #expect(machine.close() == [1, 2])
        #expect(machine.submit(3, .simpleQuery, taskIsCancelled: false) == .reject(.closed))
        machine.cancelRequestDelivered()
        #expect(machine.takeSendable().isEmpty)
    }
}
