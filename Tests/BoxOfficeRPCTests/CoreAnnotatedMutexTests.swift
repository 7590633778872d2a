import BoxOfficeLocks
@testable import BoxOfficeRPC
import Foundation
import Testing

@Suite("AnnotatedMutex")
struct CoreAnnotatedMutexTests {
    private struct Token: ~Copyable {
        var uses = 0
    }

    private struct Refused: Error {}

    /// Where the module keeps its mutexes: in a `let` of a shared class.
    private final class Counter: Sendable {
        let total = AnnotatedMutex(0)
    }

    @Test func concurrentUpdatesAreAllKept() async {
        let counter = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { for _ in 0..<1_000 { counter.total.withLock { $0 += 1 } } }
            }
        }
        #expect(counter.total.withLock { $0 } == 8_000)
    }

    @Test func holdsANonCopyableValue() {
        let token = AnnotatedMutex(Token())
        token.withLock { $0.uses += 1 }
        token.withLock { $0.uses += 1 }
        #expect(token.withLock { $0.uses } == 2)
    }

    @Test func aThrowingBodyKeepsItsChangesAndReleasesTheLock() {
        let value = AnnotatedMutex(1)
        #expect(throws: Refused.self) {
            try value.withLock { (value) throws(Refused) -> Void in
                value = 2
                throw Refused()
            }
        }
        // Locking again would deadlock if the throw had left the mutex held.
        #expect(value.withLock { $0 } == 2)
    }

    /// Scripts/sanitize-thread.sh sets BOXOFFICE_EXPECT_TSAN=1: there the annotations must be
    /// live (a clean TSan run is then not an artefact of missing hooks); everywhere else absent.
    @Test func annotationsArePresentExactlyUnderThreadSanitizer() {
        let expected = ProcessInfo.processInfo.environment["BOXOFFICE_EXPECT_TSAN"] == "1"
        #expect((ThreadSanitizerAnnotations.hooks != nil) == expected)
    }
}
