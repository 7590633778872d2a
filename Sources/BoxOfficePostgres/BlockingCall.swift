import Foundation

/// Runs one blocking libpq call (connect, `PQcancel`) on a thread of its own and awaits its result.
///
/// These calls are rare and slow (a network handshake), so a short-lived thread costs little next to
/// them and keeps them off the caller's thread, the reactor and the Swift concurrency pool. Unlike
/// a process-wide thread pool, nothing outlives the call: the thread ends when `body` returns.
func runBlocking<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
    await withCheckedContinuation { continuation in
        let thread = Thread {
            Thread.current.name = "pg-blocking"
            continuation.resume(returning: body())
        }
        thread.start()
    }
}

/// Starts a blocking libpq call on a thread of its own without waiting for it (see ``runBlocking(_:)``).
func startBlocking(_ body: @escaping @Sendable () -> Void) {
    Thread {
        Thread.current.name = "pg-blocking"
        body()
    }.start()
}
