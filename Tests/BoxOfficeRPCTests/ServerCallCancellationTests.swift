import Testing
@testable import BoxOfficeRPC

/// How the connection's cancel reaches (or does not reach) the task running a call.
@Suite struct ServerCallCancellationTests {
    @Test func aCancelBeforeTheCallBeganCancelsItsTaskAtBegin() async {
        let cancellation = CallCancellation()
        cancellation.cancel()
        #expect(cancellation.isCancelled)
        let cancelledInside = await Task {
            #expect(!Task.isCancelled)
            cancellation.begin()
            defer { cancellation.end() }
            return Task.isCancelled
        }.value
        #expect(cancelledInside)
        #expect(cancellation.isCancelled)
    }

    @Test func aCancelDuringTheCallCancelsItsTask() async {
        let cancellation = CallCancellation()
        let cancelledInside = await Task {
            cancellation.begin()
            defer { cancellation.end() }
            let before = Task.isCancelled
            cancellation.cancel()
            return !before && Task.isCancelled
        }.value
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
        let cancelledOnReuse = await Task {
            cancellation.begin()
            defer { cancellation.end() }
            cancellation.cancel()
            return Task.isCancelled
        }.value
        #expect(!cancelledOnReuse)
    }

    @Test func cancellingTwiceIsHarmless() async {
        let cancellation = CallCancellation()
        let cancelledInside = await Task {
            cancellation.begin()
            defer { cancellation.end() }
            cancellation.cancel()
            cancellation.cancel()
            return Task.isCancelled
        }.value
        #expect(cancelledInside)
        #expect(cancellation.isCancelled)
    }
}
