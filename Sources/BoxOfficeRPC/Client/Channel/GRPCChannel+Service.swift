public import ServiceLifecycle

extension GRPCChannel: Service {
    /// Runs until graceful shutdown (or cancellation) of the service group, then closes the
    /// channel: calls in flight finish, then every connection closes.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
