/// Runs one call: interceptors, the handler, and turning its result or error into a status.
package struct ServerCallRunner: Sendable {
    package let router: RPCRouter
    package let interceptors: [any ServerInterceptor]
    /// The router's methods in the order of ``RPCRouter/paths``: a call's route indexes them.
    private let routes: [RPCRouter.RegisteredMethod]

    package init(router: RPCRouter, interceptors: [any ServerInterceptor]) {
        self.router = router
        self.interceptors = interceptors
        self.routes = router.paths.map { router.methods[$0]! }
    }

    /// Runs `call` to completion on the current task; never throws (errors become statuses).
    ///
    /// Interceptors and the handler run with ``RPCDeadline/current`` set to the call's deadline
    /// (nil without one), so every outgoing call they make gets at most the remaining budget.
    package func run(_ call: ServerCall) async {
        // Binding a task-local costs an allocation; skip it when it would bind nil to nil.
        if call.context.deadline == nil && RPCDeadline.current == nil {
            await runWithDeadline(call)
        } else {
            await RPCDeadline.$current.withValue(call.context.deadline) {
                await runWithDeadline(call)
            }
        }
    }

    private func runWithDeadline(_ call: ServerCall) async {
        let routed = call.route.flatMap { routes.indices.contains($0) ? routes[$0] : nil }
        guard let method = routed ?? router.methods[call.context.path] else {
            call.outbound.finish(status: Status(code: .unimplemented, message: "unknown method \(call.context.path)"),
                                 trailers: [:])
            return
        }
        let cancellation = call.context.cancellation
        cancellation.begin()
        defer { cancellation.end() }
        do {
            // Without interceptors the handler is called directly (no closure to allocate).
            let outcome = interceptors.isEmpty
                ? try await method.body(call, call.context)
                : try await Self.chain(interceptors[...], context: call.context) { context in
                    try await method.body(call, context)
                }
            switch outcome {
            case .single(let headers, let message, let trailers):
                call.outbound.finishUnary(headers: headers, message: message, trailers: trailers)
            case .streamed(let trailers):
                call.outbound.finish(status: .ok, trailers: trailers)
            }
        } catch {
            let metadata = (error as? RPCError)?.metadata ?? [:]
            call.outbound.finish(status: Self.status(for: error), trailers: metadata)
        }
    }

    private static func chain<Result: Sendable>(
        _ interceptors: ArraySlice<any ServerInterceptor>, context: ServerContext,
        handler: @escaping @Sendable (ServerContext) async throws -> Result
    ) async throws -> Result {
        guard let first = interceptors.first else { return try await handler(context) }
        let rest = interceptors.dropFirst()
        return try await first.intercept(context: context) { context in
            try await chain(rest, context: context, handler: handler)
        }
    }

    /// The status a thrown error is sent as.
    package static func status(for error: any Error) -> Status {
        switch error {
        case let error as RPCError: error.status
        case is CancellationError: Status(code: .cancelled, message: "cancelled")
        default: Status(code: .unknown, message: "handler failed with \(type(of: error))")
        }
    }
}
