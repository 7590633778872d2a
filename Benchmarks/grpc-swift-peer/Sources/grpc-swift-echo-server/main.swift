// grpc-swift-echo-server: the grpc-swift-2 peer for Benchmarks/rpc/run.sh (issue 3, Proof).
//
//   grpc-swift-echo-server [--host 127.0.0.1] [--port 0] [--executor default|nio]
//
// Serves `/echo.Echo/Unary` (raw-bytes echo) over plaintext HTTP/2 (h2c) with grpc-swift-2's
// HTTP2ServerTransport.Posix and every library default a user would start with: default
// transport config (`.defaults`), the singleton event-loop group (one loop per core) and Swift
// Concurrency's default global executor. `--executor nio` is an opt-in variant, never what
// run.sh measures by default: it installs NIO's singleton event loops as the global executor
// (NIOSingletons' documented switch), which saves the thread hop between NIO and the
// cooperative pool on every RPC.
// Prints "LISTENING <port>" on stdout once bound, like BoxOffice's rpc-echo-server.
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import NIOCore  // NIOSingletons
import NIOPosix  // its install-as-global-executor extension

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

var host = "127.0.0.1"
var port = 0
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    guard let value = arguments.popFirst() else { fatalError("missing value for \(flag)") }
    switch flag {
    case "--host": host = value
    case "--executor":
        switch value {
        case "default": break
        case "nio":
            guard NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() else {
                fatalError("could not install NIO's event loops as the global executor")
            }
        default: fatalError("unknown executor \(value) (default or nio)")
        }
    case "--port":
        guard let number = Int(value) else { fatalError("bad port \(value)") }
        port = number
    default: fatalError("unknown flag \(flag)")
    }
}

/// Runs the echo server until the process is killed; prints the bound port once listening.
func serveEcho(host: String, port: Int) async throws {
    let server = GRPCServer(
        transport: .http2NIOPosix(address: .ipv4(host: host, port: port), transportSecurity: .plaintext),
        services: [EchoService()]
    )
    try await withThrowingDiscardingTaskGroup { group in
        group.addTask { try await server.serve() }
        let address = try await server.listeningAddress
        guard let boundPort = address?.ipv4?.port ?? address?.ipv6?.port else {
            fatalError("the server did not bind a TCP port: \(String(describing: address))")
        }
        print("LISTENING \(boundPort)")
        fflush(nil)  // a parent process reads the port line at once
    }
}

try await serveEcho(host: host, port: port)
