public import Logging
import NIOPosix
import BoxOfficeLocks
import Synchronization

/// A dedicated connection that `LISTEN`s on channels and streams the notifications it receives.
///
/// Its thread waits on the socket (in 100 ms slices, to notice ``close()``), so a NOTIFY is delivered
/// as soon as it arrives. When the connection breaks, ``notifications`` ends with a
/// ``PostgresError`` (`connectionClosed`); open a new listener then. Notifications sent while no
/// listener was connected are lost (PostgreSQL does not queue them): treat one as a wake-up and
/// re-read the table it is about.
public final class PostgresListener: Sendable {
    /// Notifications on the channels listened to, in arrival order.
    public let notifications: AsyncThrowingStream<PostgresNotification, any Error>
    private let stopping: Atomic<Bool>
    private let thread: NIOThreadPool
    private let stopped: AnnotatedMutex<CheckedContinuation<Void, Never>?>
    private let finished: AnnotatedMutex<Bool>

    private init(thread: NIOThreadPool, notifications: AsyncThrowingStream<PostgresNotification, any Error>) {
        self.thread = thread
        self.notifications = notifications
        self.stopping = Atomic(false)
        self.stopped = AnnotatedMutex(nil)
        self.finished = AnnotatedMutex(false)
    }

    /// Connects and listens on `channels` (names are quoted as identifiers; any text is safe).
    /// - Throws: ``PostgresError`` when the server cannot be reached or `LISTEN` fails.
    public static func listen(
        configuration: PostgresConfiguration, channels: [String], logger: Logger
    ) async throws -> PostgresListener {
        guard !channels.isEmpty else { throw PostgresError(code: .invalidArgument, message: "no channels to listen on") }
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: PostgresNotification.self)
        let listener = PostgresListener(thread: thread, notifications: stream)
        let ready: Result<Void, PostgresError> = await withCheckedContinuation { readyContinuation in
            thread.submit { _ in
                listener.run(configuration: configuration, channels: channels, stream: continuation, ready: readyContinuation)
            }
        }
        if case .failure(let error) = ready {
            try? await thread.shutdownGracefully()
            throw error
        }
        logger.debug("postgres listener started", metadata: ["postgres.channels": "\(channels)"])
        return listener
    }

    /// Stops listening, closes the connection and ends ``notifications``. Idempotent.
    public func close() async {
        if stopping.exchange(true, ordering: .acquiringAndReleasing) { return }
        await withCheckedContinuation { continuation in
            let alreadyFinished = finished.withLock { finished in
                if !finished { stopped.withLock { $0 = continuation } }
                return finished
            }
            if alreadyFinished { continuation.resume() }
        }
        try? await thread.shutdownGracefully()
    }

    deinit {
        if !stopping.load(ordering: .acquiring) {
            stopping.store(true, ordering: .releasing)
            thread.shutdownGracefully { _ in }
        }
    }

    /// Runs on the listener's thread for its whole life; the session never leaves it.
    private func run(
        configuration: PostgresConfiguration, channels: [String],
        stream: AsyncThrowingStream<PostgresNotification, any Error>.Continuation,
        ready: CheckedContinuation<Result<Void, PostgresError>, Never>
    ) {
        defer {
            let waiter: CheckedContinuation<Void, Never>? = finished.withLock { finished in
                finished = true
                return stopped.withLock { $0 }
            }
            waiter?.resume()
        }
        let session: LibpqSession
        do throws(PostgresError) {
            session = try LibpqSession.connect(conninfo: configuration.connectionString)
            for channel in channels {
                guard let quoted = session.quoteIdentifier(channel) else {
                    throw PostgresError(code: .invalidArgument, message: "cannot quote channel name \(channel)")
                }
                if case .failure(let error) = session.runSimpleQuery("LISTEN \(quoted)") { throw error }
            }
        } catch {
            stream.finish(throwing: error)
            ready.resume(returning: .failure(error))
            return
        }
        ready.resume(returning: .success(()))
        while !stopping.load(ordering: .acquiring) {
            let alive = session.waitForInput(timeoutMilliseconds: 100)
            for notification in session.takeNotifications() { stream.yield(notification) }
            if !alive {
                stream.finish(throwing: PostgresError(code: .connectionClosed, message: "listening connection lost"))
                return
            }
        }
        stream.finish()
    }
}

extension PostgresClient {
    /// Sends `NOTIFY channel, payload` (via `pg_notify`, so both are parameters).
    public func notify(channel: String, payload: String = "") async throws {
        _ = try await query("SELECT pg_notify($1, $2)", [channel, payload])
    }
}
