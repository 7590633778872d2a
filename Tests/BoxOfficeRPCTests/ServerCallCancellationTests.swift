import Testing
@testable import BoxOfficeRPC

/// How the connection's cancel reaches (or does not reach) the task running a call.
@Suite struct ServerCallCancellationTests {
    /// Runs `during` between `begin()` and `end()` on a new task; returns whether that task was
    /// cancelled when `during` returned.
    func runCall(_ cancellation: CallCancellation, during: @escaping @Sendable () -> Void = {}) async -> Bool {
        await Task {
            #expect(!Task.isCancelled)
            cancellation.begin()
            defer { cancellation.end() }
            during()
            return Task.isCancelled
        }.value
    }

    @Test func aCancelBeforeTheCallBeganCancelsItsTaskAtBegin() async {
        let cancellation = CallCancellation()
        cancellation.cancel()
        #expect(cancellation.isCancelled)
        #expect(await runCall(cancellation))
        #expect(cancellation.isCancelled)
    }

    @Test func aCancelDuringTheCallCancelsItsTask() async {
        let cancellation = CallCancellation()
        let cancelledInside = await runCall(cancellation) {
            #expect(!Task.isCancelled)
            cancellation.cancel()
        }
        #expect(cancelledInside)
        #expect(cancellation.isCancelled)
    }

    @Test func aCancelAfterTheCallEndedLeavesTheTaskAlone() async {
        let cancellation = CallCancellation()
        let cancelledAfter = await Task {
            cancellation.begin()
            cancellation.end()
            // The task goes on (a runner task runs the next call): the old call's cancel must not reach it.
            cancellation.cancel()
            return Task.isCancelled
        }.value
        #expect(!cancelledAfter)
        #expect(!cancellation.isCancelled)
        // A second begin after the end records nothing.
        #expect(await !runCall(cancellation) { cancellation.cancel() })
    }

    @Test func cancellingTwiceIsHarmless() async {
        let cancellation = CallCancellation()
        let cancelledInside = await runCall(cancellation) {
            cancellation.cancel()
            cancellation.cancel()
        }
        #expect(cancelledInside)
        #expect(cancellation.isCancelled)
    }
}
