import Logging
import NIOCore
import NIOPosix

/// One HTTP/2 connection to one endpoint, usable from any task.
///
/// Wraps the channel and its ``ClientConnectionHandler``; every call hops to the channel's event
/// loop. Owned by the channel's connection pool, which closes it.
final class ClientConnection: Sendable {
    let endpoint: ClientEndpoint
    let channel: any Channel
    let availability: ClientConnectionAvailability
    /// Response bytes a caller reads before it reports them (see ``ResponseReadReporter``).
    let readReportBatch: Int
    private let handler: NIOLoopBound<ClientConnectionHandler>

    private init(endpoint: ClientEndpoint, channel: any Channel, handler: NIOLoopBound<ClientConnectionHandler>,
                 availability: ClientConnectionAvailability, readReportBatch: Int) {
        self.endpoint = endpoint
        self.channel = channel
        self.handler = handler
        self.availability = availability
        self.readReportBatch = readReportBatch
    }

    /// Connects over TCP and starts HTTP/2 (prior knowledge).
    ///
    /// - Throws: ``RPCError`` UNAVAILABLE when the endpoint cannot be reached.
    static func connect(to endpoint: ClientEndpoint, configuration: ClientConnectionConfiguration,
                        group: any EventLoopGroup, logger: Logger) async throws(RPCError) -> ClientConnection {
        let availability = ClientConnectionAvailability()
        let connected: (any Channel, NIOLoopBound<ClientConnectionHandler>, EventLoopFuture<Void>)
        do {
            connected = try await ClientBootstrap(group: group)
                .connectTimeout(configuration.connectTimeout)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connect(host: endpoint.host, port: endpoint.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let readiness = channel.eventLoop.makePromise(of: Void.self)
                        let handler = try ClientConnectionHandler(configuration: configuration, availability: availability,
                                                                  logger: logger, readiness: readiness)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        return (channel, NIOLoopBound(handler, eventLoop: channel.eventLoop), readiness.futureResult)
                    }
                }
        } catch {
            throw RPCError(code: .unavailable, message: "cannot connect to \(endpoint): \(error)", cause: error)
        }
        let (channel, handler, ready) = connected
        // Usable only once the server has spoken HTTP/2 (its SETTINGS), within the connect timeout.
        let timeout = channel.eventLoop.scheduleTask(in: configuration.connectTimeout) {
            handler.value.readinessTimedOut()
        }
        do {
            try await ready.get()
            timeout.cancel()
        } catch {
            timeout.cancel()
            channel.close(promise: nil)
            throw RPCError(code: .unavailable, message: "cannot connect to \(endpoint): \(error)", cause: error)
        }
        return ClientConnection(endpoint: endpoint, channel: channel, handler: handler, availability: availability,
                                readReportBatch: configuration.responseReadReportBatch)
    }

    /// Starts a call on this connection.
    ///
    /// - Returns: the stream, or nil when this connection takes no new stream (draining, closed
    ///   or at the server's concurrency limit): the caller picks another connection.
    func openStream(headers: [HTTP2HeaderField], body: [UInt8], endStream: Bool,
                    deadline: ContinuousClock.Instant?) async throws(RPCError) -> ClientStream? {
        let (responses, sink) = AsyncThrowingStream<ClientResponsePart, any Error>.makeStream()
        let nioDeadline = deadline.map { deadline in
            // Capped so that absurd budgets cannot overflow NIO's nanosecond arithmetic.
            NIODeadline.now() + TimeAmount(min(ContinuousClock.now.duration(to: deadline), .seconds(100 * 24 * 3600)))
        }
        let handler = self.handler
        let opened = channel.eventLoop.submit { () throws -> Int32 in
            try handler.value.openStream(headers: headers, body: body, endStream: endStream, deadline: nioDeadline,
                                         sink: sink)
        }
        do {
            let streamID = try await opened.get()
            return ClientStream(connection: self, streamID: streamID, responses: responses)
        } catch is ClientConnectionStateMachine.OpenRefusal {
            return nil
        } catch is HTTP2ClientSessionError {
            // Stream ids exhausted or the session is shutting down: another connection will do.
            return nil
        } catch {
            throw RPCError(code: .unavailable, message: "connection to \(endpoint) is gone", cause: error)
        }
    }

    /// Sends request bytes; returns once they are queued and the stream's backlog is within
    /// the configured limit (flow-control back-pressure).
    func write(streamID: Int32, body: [UInt8], endStream: Bool) async throws {
        let handler = self.handler
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            handler.value.send(streamID: streamID, body: body, endStream: endStream, written: written)
        }
        try await written.futureResult.get()
    }

    func send(streamID: Int32, body: [UInt8], endStream: Bool) {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.send(streamID: streamID, body: body, endStream: endStream) }
    }

    /// The caller read response messages of `wireBytes` on a stream (flow-control credit).
    func responseRead(streamID: Int32, wireBytes: Int) {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.responseRead(streamID: streamID, wireBytes: wireBytes) }
    }

    func cancel(streamID: Int32) {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.cancel(streamID: streamID) }
    }

    /// Stops new calls; the connection closes when the open ones have finished.
    func closeGracefully() {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.closeGracefully() }
    }

    /// Closes the socket now; open calls fail with UNAVAILABLE.
    func close() {
        channel.close(promise: nil)
    }

    /// Completes when the socket has closed.
    var closeFuture: EventLoopFuture<Void> { channel.closeFuture }
}
