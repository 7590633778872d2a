public import Logging
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix
public import Prometheus
public import ServiceLifecycle
internal import Synchronization

/// A tiny HTTP/1.1 server answering `GET /metrics` with a Prometheus registry in the text
/// exposition format (every other path is 404, every other method 405).
///
/// A `Service`: ``run()`` binds, serves until graceful shutdown or cancellation, then closes.
public final class MetricsEndpoint: Service, Sendable {
    /// The address to bind.
    public let host: String
    /// The port to bind; 0 picks a free one (read it back with ``listeningPort``).
    public let port: Int
    private let registry: PrometheusCollectorRegistry
    private let logger: Logger
    private let bound: EventLoopPromise<Int>
    private let ran = Mutex(false)

    /// Creates an endpoint serving `registry`; nothing is bound until ``run()``.
    public init(host: String = "127.0.0.1", port: Int, registry: PrometheusCollectorRegistry, logger: Logger) {
        self.host = host
        self.port = port
        self.registry = registry
        self.logger = logger
        self.bound = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Int.self)
    }

    deinit {
        if !ran.withLock({ $0 }) { bound.fail(CancellationError()) }
    }

    /// The bound port once listening; throws if binding failed.
    public var listeningPort: Int {
        get async throws { try await bound.futureResult.get() }
    }

    /// Binds and serves until graceful shutdown or cancellation.
    public func run() async throws {
        ran.withLock { $0 = true }
        let registry = self.registry
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { child in
                    child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try child.pipeline.syncOperations.addHandler(MetricsHTTPHandler(registry: registry))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            bound.fail(error)
            throw error
        }
        bound.succeed(channel.localAddress?.port ?? port)
        logger.debug("metrics endpoint listening", metadata: ["metrics.port": "\(channel.localAddress?.port ?? port)"])
        // Returns on graceful shutdown, throws on cancellation: either way the listener closes.
        try? await gracefulShutdown()
        try? await channel.close()
    }
}

/// Answers one request at a time on an HTTP/1.1 connection.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private var request: HTTPRequestHead?

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let status: HTTPResponseStatus
        let body: [UInt8]
        let contentType: String
        switch (head.method, path) {
        case (.GET, "/metrics"), (.HEAD, "/metrics"):
            status = .ok
            body = registry.emitToBuffer()
            contentType = "text/plain; version=0.0.4; charset=utf-8"
        case (_, "/metrics"):
            status = .methodNotAllowed
            body = Array("only GET /metrics\n".utf8)
            contentType = "text/plain; charset=utf-8"
        default:
            status = .notFound
            body = Array("not found: metrics are at /metrics\n".utf8)
            contentType = "text/plain; charset=utf-8"
        }
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: "\(body.count)")
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in loopBound.value.close(promise: nil) }
        }
    }
}
