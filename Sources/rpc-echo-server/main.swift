// rpc-echo-server: a raw-bytes echo service for the Python protocol tests and the benchmarks.
//
//   rpc-echo-server [--host 127.0.0.1] [--port 0] [--max-connections N] [--idle-timeout-ms N]
//                   [--max-message-size BYTES] [--threads N (event loops; default: cores)]
//
// Prints "LISTENING <port>" on stdout once bound; SIGTERM/SIGINT shut it down gracefully.
import BoxOfficeRPC
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

var configuration = GRPCServer.Configuration(host: "127.0.0.1", port: 0, shutdownGracePeriod: .seconds(5))
var threads = System.coreCount
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    guard let value = arguments.popFirst() else { fatalError("missing value for \(flag)") }
    switch flag {
    case "--host": configuration.host = value
    case "--port": configuration.port = Int(value)!
    case "--max-connections": configuration.limits.maxConnections = Int(value)!
    case "--idle-timeout-ms": configuration.limits.idleTimeout = .milliseconds(Int(value)!)
    case "--max-message-size": configuration.maxReceiveMessageSize = Int(value)!
    case "--threads": threads = Int(value)!
    default: fatalError("unknown flag \(flag)")
    }
}

var logger = Logger(label: "rpc-echo-server")
logger.logLevel = .warning
let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
let server = GRPCServer(configuration: configuration, router: EchoService.router(), logger: logger, eventLoopGroup: group)
let services = ServiceGroup(configuration: .init(services: [.init(service: server)],
                                              gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
async let running: Void = services.run()
let port = try await server.listeningPort
print("LISTENING \(port)")
fflushStdout()
try await running
