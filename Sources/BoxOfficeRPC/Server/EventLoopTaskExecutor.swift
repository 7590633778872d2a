import NIOCore

/// A `TaskExecutor` (SE-0417) that runs jobs on one NIO event loop.
///
/// Used as the executor preference of a connection's task and of every call task it starts, so
/// handler code runs on the thread that owns the connection's socket: no hop to the global
/// cooperative pool and back, no thread wake-up per call, and handler output reaches the
/// HTTP/2 session without crossing threads. The price: while a handler computes without
/// suspending, its event loop (and every connection on it) waits.
final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop every job runs on.
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
