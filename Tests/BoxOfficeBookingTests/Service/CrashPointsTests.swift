@testable import BoxOfficeBooking
import Foundation
import Testing

/// Crash points arm from the environment; with a once-file only the first process to reach the
/// point dies (the tests never reach a point for real: that would kill the test runner).
@Suite("Crash points")
struct CrashPointsTests {
    @Test("only a known name arms a point")
    func arming() {
        #expect(CrashPoints(environment: [:]).armed == nil)
        #expect(CrashPoints(environment: ["BOXOFFICE_CRASH_AT": "nonsense"]).armed == nil)
        #expect(CrashPoints(environment: ["BOXOFFICE_CRASH_AT": "after-charge-sent"]).armed == .afterChargeSent)
        #expect(Set(CrashPoints.Point.allCases.map(\.rawValue)) ==
            ["before-hold-stored", "after-charge-sent", "after-captured-before-confirm", "during-release"])
    }

    @Test("a once-file lets exactly the first reach crash; other points never do")
    func onceFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("crash-once-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let points = CrashPoints(environment: ["BOXOFFICE_CRASH_AT": "during-release", "BOXOFFICE_CRASH_ONCE_FILE": path])
        #expect(!points.shouldCrash(at: .afterChargeSent))
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(points.shouldCrash(at: .duringRelease))
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(!points.shouldCrash(at: .duringRelease))
        #expect(CrashPoints(environment: ["BOXOFFICE_CRASH_AT": "during-release"]).shouldCrash(at: .duringRelease))
    }
}
