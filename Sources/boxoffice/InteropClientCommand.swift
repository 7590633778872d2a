#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import BoxOfficeInterop
import BoxOfficeRPC

/// `boxoffice interop-client`: runs grpc's interop client cases against a TestService server.
struct InteropClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interop-client",
        abstract: "Run gRPC interop client cases against a grpc.testing.TestService server.",
        discussion: "Cases: all, " + InteropTestCase.allCases.map(\.name).joined(separator: ", ")
            + ". Exits non-zero and names the failed cases when any fails.")

    @Option(help: "The server, HOST:PORT.")
    var server: String

    @Option(help: "A case name, or 'all'.")
    var testCase = "all"

    func validate() throws {
        guard ClientEndpoint(server) != nil else { throw ValidationError("--server must be HOST:PORT, got '\(server)'") }
        if testCase != "all" && InteropTestCase(rawValue: testCase) == nil {
            throw ValidationError("unknown test case '\(testCase)'")
        }
    }

    func run() async throws {
        guard let endpoint = ClientEndpoint(server) else { throw ValidationError("--server must be HOST:PORT") }
        let cases = InteropTestCase(rawValue: testCase).map { [$0] } ?? InteropTestCase.allCases
        let channel = GRPCChannel(host: endpoint.host, port: endpoint.port)
        let runner = InteropClient(client: GRPCClient(channel: channel))
        var failed: [String] = []
        for testCase in cases {
            let started = ContinuousClock.now
            do {
                try await runner.run(testCase)
                print("PASS \(testCase.name) (\(ContinuousClock.now - started))")
            } catch {
                failed.append(testCase.name)
                print("FAIL \(testCase.name): \(error)")
            }
            fflush(nil)
        }
        await channel.close()
        if !failed.isEmpty {
            print("FAILED \(failed.count) of \(cases.count): \(failed.joined(separator: " "))")
            throw ExitCode.failure
        }
        print("PASSED all \(cases.count)")
    }
}
