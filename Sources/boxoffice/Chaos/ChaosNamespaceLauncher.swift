import BoxOfficeCluster
import Foundation

/// Runs this `boxoffice chaos` again inside a network namespace of its own (for blackhole:/loss:
/// faults), and deletes the namespace afterwards whatever happens.
enum ChaosNamespaceLauncher {
    /// Creates the namespace, runs `ip netns exec NS <this executable> <same arguments> <extra>` with
    /// ``NetworkSandbox/environmentKey`` set, waits, deletes the namespace; returns the inner exit status.
    static func runInsideNamespace(extraArguments: [String]) async throws -> Int32 {
        let name = "boxoffice-chaos-\(getpid())"
        try await NetworkSandbox.create(name: name)
        ChaosCommand.say("chaos: running inside network namespace \(name)")
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let prefix = NetworkSandbox.execPrefix(name: name)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prefix[0])
        process.arguments = Array(prefix.dropFirst()) + [executable] + Array(CommandLine.arguments.dropFirst()) + extraArguments
        var environment = ProcessInfo.processInfo.environment
        environment[NetworkSandbox.environmentKey] = name
        process.environment = environment
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            await NetworkSandbox.delete(name: name)
            throw error
        }
        // Installed after the child started, so it keeps the default dispositions; SIGTERM to this
        // process is passed on (Ctrl-C reaches both through the terminal). The namespace is deleted
        // only after the inner run has stopped everything it started.
        let signals = ShutdownSignals()
        signals.onSignal { [pid = process.processIdentifier] in kill(pid, SIGTERM) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                exited.wait()
                continuation.resume()
            }
        }
        withExtendedLifetime(signals) {}
        let status = process.terminationStatus
        await NetworkSandbox.delete(name: name)
        return status
    }
}
