import Synchronization

/// The recovery worker's round: the first round resumes every non-terminal saga (a start after a
/// crash or a deploy repeats the calls the dead process had in flight); every later round fires the
/// timers that are due (expired holds, retries, polls, calls presumed lost).
public final class SagaRecovery: Sendable {
    private let driver: SagaDriver
    private let resumed = Mutex(false)

    /// Creates the worker's round for `driver`.
    public init(driver: SagaDriver) {
        self.driver = driver
    }

    /// One round; returns how many sagas it touched.
    @discardableResult
    public func round() async throws -> Int {
        if !resumed.withLock({ $0 }) {
            let count = try await driver.resumeAll()
            resumed.withLock { $0 = true }
            return count
        }
        return try await driver.fireDueTimers()
    }
}
