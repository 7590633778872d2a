import BoxOfficeStandardServices
import Testing

@Suite struct HealthStatusRegistryTests {
    private struct Finished: Error {}

    @Test(.timeLimit(.minutes(1)))
    func aWatcherAlwaysEndsOnTheLastChangeAfterARace() async throws {
        let health = HealthStatusRegistry()
        health.setStatus(.serving, for: "a")
        let (watching, watchingContinuation) = AsyncStream.makeStream(of: Void.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Ends only when it sees "unknown", which only the final clearStatus sends.
                await #expect(throws: Finished.self) {
                    try await health.watch("a") { status in
                        watchingContinuation.yield()
                        if status == nil { throw Finished() }
                    }
                }
            }
            for await _ in watching { break }
            await withTaskGroup(of: Void.self) { racers in
                for index in 0..<64 {
                    racers.addTask { health.setStatus(index.isMultiple(of: 2) ? .serving : .notServing, for: "a") }
                }
            }
            health.clearStatus(of: "a")
            try await group.waitForAll()
        }
        #expect(health.watcherCount == 0)
    }
}
