#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Named places where a test can make the process die as if `kill -9`ed: `BOXOFFICE_CRASH_AT=<name>`.
///
/// With `BOXOFFICE_CRASH_ONCE_FILE=<path>` the process crashes only when that file does not exist
/// yet, creating it first, so the restarted process (same environment) runs past the point. Read
/// once from the environment; unset, ``reach(_:)`` is one comparison of an optional.
public struct CrashPoints: Sendable {
    /// The saga's crash points.
    public enum Point: String, Sendable, CaseIterable {
        /// Inventory answered HoldSeats; the answer is not stored yet.
        case beforeHoldStored = "before-hold-stored"
        /// Payment answered Charge; the answer is not stored yet.
        case afterChargeSent = "after-charge-sent"
        /// The capture is stored; ConfirmHold is not sent yet.
        case afterCapturedBeforeConfirm = "after-captured-before-confirm"
        /// Inventory answered ReleaseHold; the answer is not stored yet.
        case duringRelease = "during-release"
    }

    /// The armed point, if any.
    public let armed: Point?
    /// The once-file, if any.
    public let onceFile: String?

    /// Crash points as the process environment configures them.
    public static let fromEnvironment = CrashPoints(environment: ProcessInfo.processInfo.environment)

    /// None armed.
    public static let disarmed = CrashPoints(armed: nil, onceFile: nil)

    /// Reads `BOXOFFICE_CRASH_AT` and `BOXOFFICE_CRASH_ONCE_FILE`; an unknown name arms nothing.
    public init(environment: [String: String]) {
        self.init(armed: environment["BOXOFFICE_CRASH_AT"].flatMap(Point.init(rawValue:)),
                  onceFile: environment["BOXOFFICE_CRASH_ONCE_FILE"].flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Creates crash points explicitly.
    public init(armed: Point?, onceFile: String?) {
        self.armed = armed
        self.onceFile = onceFile
    }

    /// Whether reaching `point` kills the process now (consumes the once-file).
    func shouldCrash(at point: Point) -> Bool {
        guard armed == point else { return false }
        guard let onceFile else { return true }
        // O_EXCL: exactly one process wins the file, and only the winner crashes.
        let fd = open(onceFile, O_CREAT | O_EXCL | O_WRONLY, 0o644)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }

    /// Dies by SIGKILL when `point` is armed: no cleanup, no flush, like a `kill -9` from outside.
    public func reach(_ point: Point) {
        guard armed != nil, shouldCrash(at: point) else { return }
        FileHandle.standardError.write(Data("BOXOFFICE_CRASH_AT \(point.rawValue): killing myself\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
