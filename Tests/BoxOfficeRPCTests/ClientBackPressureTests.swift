import BoxOfficeLocks
import NIOCore
import NIOPosix
@testable import BoxOfficeRPC
import Testing

/// A peer that says HTTP/2 (an empty SETTINGS frame) and then never reads: HTTP/2 flow control
/// lets the client send 64 KiB of DATA, no more.
private final class SilentHTTP2Peer: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        var settings = context.channel.allocator.buffer(capacity: 9)
        settings.writeBytes([0, 0, 0, 0x4, 0, 0, 0, 0, 0])  // SETTINGS, no parameters, stream 0
        context.writeAndFlush(wrapOutboundOut(settings), promise: nil)
    }
}

@Suite("Client back-pressure")
struct ClientBackPressureTests {
    @Test func requestProducerWaitsForFlowControl() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(SilentHTTP2Peer()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        let written = AnnotatedMutex(0)
        var configuration = testChannelConfiguration()
        configuration.connection.maxPendingRequestBytes = 512 * 1024
        let channel = GRPCChannel(endpoints: [ClientEndpoint(host: "127.0.0.1", port: port)], configuration: configuration)
        let client = GRPCClient(channel: channel)
        let chunk = [UInt8](repeating: 1, count: 128 * 1024)
        let call = Task {
            try await client.clientStreaming(
                request: StreamingClientRequest<[UInt8]> { writer in
                    for _ in 0..<100 {
                        try await writer.write(chunk)
                        written.withLock { $0 += 1 }
                    }
                },
                descriptor: Echo.clientStream)
        }
        // 64 KiB of window plus a 512 KiB backlog hold at most 5 chunks of 128 KiB; the producer
        // then waits. Wait until some chunks went out and the count holds still for 200 ms (at most 10 s).
        var stalledAt = -1
        for _ in 0..<50 {
            let now = written.withLock { $0 }
            if now == stalledAt && now > 0 { break }
            stalledAt = now
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(stalledAt >= 1 && stalledAt <= 5)
        call.cancel()
        let error = await rpcError { try await call.value }
        #expect(error?.code == .cancelled)
        await channel.close()
        try await listener.close()
    }
}
