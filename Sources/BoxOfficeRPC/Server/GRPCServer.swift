public import Logging
public import NIOCore
import NIOPosix
public import ServiceLifecycle
import Atomics
import BoxOfficeLocks

/// A gRPC server: h2c (HTTP/2 with prior knowledge) on a host and port, serving the methods of
/// an ``RPCRouter``.
///
/// Run it as a swift-service-lifecycle `Service` (in a `ServiceGroup`) or call ``run()``
/// directly. Each connection runs as a child task that ends once the connection closed and its
/// last call ended; calls are tasks started by the connection (on its event loop, see
/// ``CallExecution/connectionEventLoop``) or children of the connection's task (on the global
/// concurrent executor). Graceful shutdown (from the service group, or ``beginGracefulShutdown()``)
/// stops accepting connections, sends GOAWAY on every connection, lets in-flight calls finish
/// for up to ``Configuration/shutdownGracePeriod``, then cancels them.
public final class GRPCServer: Service, Sendable {
    /// Where and how the server listens.
    public struct Configuration: Sendable {
        /// The host to bind, e.g. `127.0.0.1` or `0.0.0.0`.
        public var host: String
        /// The port to bind; 0 picks a free port (read it back with ``GRPCServer/listeningPort``).
        public var port: Int
        /// HTTP/2 abuse and resource limits for every connection.
        public var limits: HTTP2ServerLimits
        /// Largest request message accepted; larger ones get RESOURCE_EXHAUSTED.
        public var maxReceiveMessageSize: Int
        /// How long in-flight calls may continue after graceful shutdown begins.
        public var shutdownGracePeriod: Duration
        /// Where handlers run; ``CallExecution/connectionEventLoop`` unless set.
        public var callExecution: CallExecution

        /// Creates a configuration with default limits, 4 MiB messages, a 10 s grace period and
        /// handlers on their connection's event loop.
        public init(host: String = "127.0.0.1", port: Int = 0, limits: HTTP2ServerLimits = HTTP2ServerLimits(),
                    maxReceiveMessageSize: Int = 4 * 1024 * 1024, shutdownGracePeriod: Duration = .seconds(10),
                    callExecution: CallExecution = .connectionEventLoop) {
            self.host = host
            self.port = port
            self.limits = limits
            self.maxReceiveMessageSize = maxReceiveMessageSize
            self.shutdownGracePeriod = shutdownGracePeriod
            self.callExecution = callExecution
        }
    }

    /// Where the tasks that run handlers execute.
    public struct CallExecution: Sendable, Hashable, CustomStringConvertible {
        private enum Choice: Hashable {
            case connectionEventLoop
            case globalConcurrentExecutor
        }

        private let choice: Choice

        /// Handlers run on the event loop that owns their connection (a task executor
        /// preference), starting synchronously as soon as the request is complete.
        ///
        /// The fastest choice for handlers that mostly wait (on the database, Redis, other
        /// services) or compute briefly: no thread hop per call, no wake-up of a pool thread, and
        /// the response is written in the same event-loop turn. A streaming handler's writes
        /// return at once, and every 64 messages it pauses briefly so the loop can do I/O. The
        /// trade-off: a handler that computes for long without suspending delays the I/O of
        /// every connection on its event loop; move such work off the loop (e.g. a detached
        /// task) or pick ``globalConcurrentExecutor``. Blocking calls (file reads, semaphores,
        /// `EventLoopFuture.wait()`) must never run in a handler in this mode.
        public static let connectionEventLoop = CallExecution(choice: .connectionEventLoop)

        /// Handlers run on Swift's global concurrent executor, in parallel with the event loops.
        ///
        /// Isolates event-loop I/O from CPU-heavy handlers, at the cost of two thread hops per
        /// call (request in, response out) and more CPU per request.
        public static let globalConcurrentExecutor = CallExecution(choice: .globalConcurrentExecutor)

        public var description: String {
            switch choice {
            case .connectionEventLoop: "connectionEventLoop"
            case .globalConcurrentExecutor: "globalConcurrentExecutor"
            }
        }
    }

    private struct State {
        var listener: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
        var ran = false
    }

    private let configuration: Configuration
    private let router: RPCRouter
    private let runner: ServerCallRunner
    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = AnnotatedMutex(State())
    private let connectionCount = ManagedAtomic<Int>(0)
    private let bound: EventLoopPromise<SocketAddress>

    /// Creates a server; nothing is bound until ``run()``.
    ///
    /// - Parameters:
    ///   - interceptors: run around every handler, first = outermost.
    ///   - eventLoopGroup: defaults to NIO's shared singleton group.
    public init(configuration: Configuration, router: RPCRouter, interceptors: [any ServerInterceptor] = [],
                logger: Logger = Logger(label: "boxoffice.rpc.server"),
                eventLoopGroup: (any EventLoopGroup)? = nil) {
        self.configuration = configuration
        self.router = router
        self.runner = ServerCallRunner(router: router, interceptors: interceptors)
        self.logger = logger
        let group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        self.group = group
        self.bound = group.next().makePromise(of: SocketAddress.self)
    }

    deinit {
        // A server that never ran still completes its promise (NIO reports leaked promises).
        if !state.withLock({ $0.ran }) { bound.fail(CancellationError()) }
    }

    /// The bound port, once listening; throws if binding failed (or the server is discarded
    /// without running).
    public var listeningPort: Int {
        get async throws {
            try await bound.futureResult.get().port ?? configuration.port
        }
    }

    /// The number of open connections.
    public var openConnections: Int { connectionCount.load(ordering: .relaxed) }

    /// Binds and serves until graceful shutdown completes or the task is cancelled.
    public func run() async throws {
        state.withLock { $0.ran = true }
        let configuration = self.configuration
        let limits = configuration.limits
        let router = self.router
        let runner = self.runner
        let logger = self.logger
        let listener: NIOAsyncChannel<AcceptedConnection, Never>
        do {
            listener = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .bind(host: configuration.host, port: configuration.port) { [connectionCount] channel in
                    channel.eventLoop.makeCompletedFuture {
                        let count = connectionCount.loadThenWrappingIncrement(ordering: .relaxed) + 1
                        guard count <= limits.maxConnections else {
                            connectionCount.wrappingDecrement(ordering: .relaxed)
                            channel.close(promise: nil)
                            return AcceptedConnection(channel: channel, calls: nil)
                        }
                        let (calls, continuation) = AsyncStream.makeStream(of: [ServerCall].self)
                        let executor = configuration.callExecution == .connectionEventLoop
                            ? EventLoopTaskExecutor(eventLoop: channel.eventLoop) : nil
                        let handler = try ServerConnectionHandler(
                            router: router, limits: limits, maxReceiveMessageSize: configuration.maxReceiveMessageSize,
                            calls: continuation, immediateCalls: executor.map { .init(runner: runner, executor: $0) },
                            logger: logger)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        return AcceptedConnection(channel: channel, calls: calls, executor: executor)
                    }
                }
        } catch {
            bound.fail(error)
            throw error
        }
        let alreadyShuttingDown = state.withLock { state in
            state.listener = listener.channel
            return state.shuttingDown
        }
        if let address = listener.channel.localAddress {
            bound.succeed(address)
        } else {
            bound.fail(ChannelError.unknownLocalAddress)
        }
        if alreadyShuttingDown { listener.channel.close(promise: nil) }
        logger.info("gRPC server listening", metadata: ["rpc.address": "\(listener.channel.localAddress.map { "\($0)" } ?? "?")"])

        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await listener.executeThenClose { inbound in
                    await withDiscardingTaskGroup { group in
                        do {
                            for try await connection in inbound {
                                guard let calls = connection.calls else { continue }
                                group.addTask(executorPreference: connection.executor) {
                                    await self.serve(connection.channel, calls: calls)
                                }
                            }
                        } catch {
                            logger.debug("accept loop ended", metadata: ["error": "\(error)"])
                        }
                    }
                }
            } onCancel: {
                listener.channel.close(promise: nil)
            }
        } onGracefulShutdown: {
            self.beginGracefulShutdown()
        }
    }

    /// Stops accepting connections and drains every open connection (GOAWAY, then up to the
    /// grace period for in-flight calls). ``run()`` returns when all connections have closed.
    public func beginGracefulShutdown() {
        let (listener, connections) = state.withLock { state -> ((any Channel)?, [any Channel]) in
            state.shuttingDown = true
            return (state.listener, Array(state.connections.values))
        }
        listener?.close(promise: nil)
        let event = ServerConnectionHandler.GracefulShutdownEvent(gracePeriod: configuration.shutdownGracePeriod)
        for channel in connections {
            channel.pipeline.fireUserInboundEventTriggered(event)
        }
    }

    /// Runs one connection's calls until the connection closed and its last call ended. With
    /// handlers on the event loop, the connection's handler starts the calls itself (see
    /// ``ServerConnectionHandler/ImmediateCalls``) and `calls` only ends; otherwise they arrive
    /// here and run as child tasks on the global concurrent executor.
    private func serve(_ channel: any Channel, calls: AsyncStream<[ServerCall]>) async {
        let id = ObjectIdentifier(channel)
        let shuttingDown = state.withLock { state in
            state.connections[id] = channel
            return state.shuttingDown
        }
        if shuttingDown {
            channel.pipeline.fireUserInboundEventTriggered(
                ServerConnectionHandler.GracefulShutdownEvent(gracePeriod: configuration.shutdownGracePeriod))
        }
        let runner = self.runner
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for await batch in calls {
                    for call in batch {
                        group.addTask { await runner.run(call) }
                    }
                }
            }
        } onCancel: {
            channel.close(promise: nil)
        }
        state.withLock { _ = $0.connections.removeValue(forKey: id) }
        connectionCount.wrappingDecrement(ordering: .relaxed)
    }
}

/// A freshly accepted connection: its channel and the calls it starts (nil when refused).
struct AcceptedConnection: Sendable {
    let channel: any Channel
    let calls: AsyncStream<[ServerCall]>?
    /// The connection's event loop as a task executor, when handlers run there.
    var executor: EventLoopTaskExecutor? = nil
}
