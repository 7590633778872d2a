import BoxOfficeProto

/// Makes gRPC calls over a ``GRPCChannel``: all four call kinds, with raw bytes or
/// ``ProtoMessage`` values, deadlines (including the inherited ``RPCDeadline/current``),
/// metadata, cancellation and interceptors.
///
/// Calls fail by throwing ``RPCError`` with the gRPC status. Cancelling the calling task cancels
/// the call (RST_STREAM(CANCEL) to the server, CANCELLED to the caller). A value type; copies
/// share the channel.
public struct GRPCClient: Sendable {
    /// The channel the calls go over.
    public let channel: GRPCChannel
    /// Interceptors, outermost first.
    public let interceptors: [any ClientInterceptor]
    /// The `:authority` sent; by default the first endpoint's `host:port`.
    public let authority: String

    /// Creates a client.
    public init(channel: GRPCChannel, interceptors: [any ClientInterceptor] = [], authority: String? = nil) {
        self.channel = channel
        self.interceptors = interceptors
        self.authority = authority ?? channel.endpoints[0].authority
    }

    static var userAgent: String { ClientRequestHead.userAgent }

    // MARK: The one call engine every public method uses.

    /// Runs one call: interceptors, headers, stream, request messages, response handling.
    ///
    /// - Parameters:
    ///   - first: a message sent together with the HEADERS; with `producer` nil the request ends
    ///     after it (unary and server-streaming calls).
    ///   - producer: writes further request messages, then the request half-closes.
    func call<Output: Sendable, Result: Sendable>(
        descriptor: MethodDescriptor, metadata: Metadata, options: CallOptions,
        first: [UInt8]?, producer: (@Sendable (RPCWriter<[UInt8]>) async throws -> Void)?,
        deserialize: @escaping @Sendable ([UInt8]) throws -> Output,
        onResponse: @escaping @Sendable (StreamingClientResponse<Output>) async throws -> Result
    ) async throws -> Result {
        let context = ClientInterceptorContext(descriptor: descriptor, metadata: metadata, options: options)
        return try await intercepted(context, interceptors[...]) { context in
            try await self.perform(context: context, first: first, producer: producer, deserialize: deserialize,
                                   onResponse: onResponse)
        }
    }

    private func intercepted<Result: Sendable>(
        _ context: ClientInterceptorContext, _ chain: ArraySlice<any ClientInterceptor>,
        _ last: @escaping @Sendable (ClientInterceptorContext) async throws -> Result
    ) async throws -> Result {
        guard let interceptor = chain.first else { return try await last(context) }
        return try await interceptor.intercept(context: context) { context in
            try await intercepted(context, chain.dropFirst(), last)
        }
    }

    private func perform<Output: Sendable, Result: Sendable>(
        context: ClientInterceptorContext, first: [UInt8]?,
        producer: (@Sendable (RPCWriter<[UInt8]>) async throws -> Void)?,
        deserialize: @escaping @Sendable ([UInt8]) throws -> Output,
        onResponse: @escaping @Sendable (StreamingClientResponse<Output>) async throws -> Result
    ) async throws -> Result {
        let now = ContinuousClock.now
        let deadline = context.options.effectiveDeadline(now: now)
        if let deadline, deadline <= now {
            throw RPCError(code: .deadlineExceeded, message: "deadline exceeded before the call started")
        }
        var metadata = context.metadata
        metadata.add(contentsOf: context.options.metadata)
        let headers = ClientRequestHead.headers(path: context.descriptor.path, authority: authority, metadata: metadata,
                                                timeout: deadline.map { now.duration(to: $0) })
        let body = first.map(GRPCMessageFramer.frame) ?? []
        // A call the server refused before processing it (GOAWAY race, stream limit) is sent
        // again on another connection, when its whole request is in hand (no producer).
        var attempt = 0
        while true {
            attempt += 1
            let stream = try await channel.openStream(headers: headers, body: body, endStream: producer == nil,
                                                      deadline: deadline, waitForReady: context.options.waitForReady)
            do {
                return try await withTaskCancellationHandler {
                    try await run(stream: stream, producer: producer, deserialize: deserialize, onResponse: onResponse)
                } onCancel: {
                    stream.cancel()
                }
            } catch let error as RPCError where error.cause is StreamRefusedBeforeProcessing
                && producer == nil && attempt < Self.maxTransparentRetries {
                continue
            }
        }
    }

    /// How often a call refused before processing is sent in all.
    static let maxTransparentRetries = 3

    private func run<Output: Sendable, Result: Sendable>(
        stream: ClientStream, producer: (@Sendable (RPCWriter<[UInt8]>) async throws -> Void)?,
        deserialize: @escaping @Sendable ([UInt8]) throws -> Output,
        onResponse: @escaping @Sendable (StreamingClientResponse<Output>) async throws -> Result
    ) async throws -> Result {
        guard let producer else {
            return try await respond(stream: stream, deserialize: deserialize, onResponse: onResponse)
        }
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                let writer = RPCWriter<[UInt8]>(serialize: { $0 }) { bytes in
                    try await stream.connection.write(streamID: stream.streamID,
                                                      body: GRPCMessageFramer.frame(bytes), endStream: false)
                }
                do {
                    try await producer(writer)
                } catch {
                    stream.cancel()
                    throw ProducerFailure(error: error)
                }
                stream.finishRequest()
                return nil
            }
            group.addTask {
                try await respond(stream: stream, deserialize: deserialize, onResponse: onResponse)
            }
            var result: Swift.Result<Result, any Error>?
            var producerError: (any Error)?
            while let next = await group.nextResult() {
                switch next {
                case .success(.some(let value)):
                    result = .success(value)
                    // The response is complete: further request messages would go nowhere.
                    group.cancelAll()
                case .success(.none):
                    break
                case .failure(let failure as ProducerFailure):
                    // Only a producer failure before the response ended explains the call's end.
                    if result == nil { producerError = failure.error }
                case .failure(let failure):
                    if result == nil { result = .failure(failure) }
                    group.cancelAll()
                }
            }
            // A producer stopped by the call's own cancellation explains nothing: report CANCELLED.
            if let producerError, !(producerError is CancellationError) { throw producerError }
            return try result!.get()
        }
    }

    /// Waits for the response headers, then hands the response to `onResponse`. A call that ends
    /// before its headers (Trailers-Only) with an error throws its status here; an OK one arrives
    /// as empty metadata followed by the trailers.
    private func respond<Output: Sendable, Result: Sendable>(
        stream: ClientStream, deserialize: @escaping @Sendable ([UInt8]) throws -> Output,
        onResponse: @escaping @Sendable (StreamingClientResponse<Output>) async throws -> Result
    ) async throws -> Result {
        var iterator = stream.responses.makeAsyncIterator()
        let metadata: Metadata
        switch try await iterator.next() {
        case .metadata(let received):
            metadata = received
        case .none:
            throw RPCError(code: .cancelled, message: "the call was cancelled")
        case .trailers, .message:
            // The state machine always delivers metadata first; anything else is a broken stream.
            throw RPCError(code: .internal, message: "response did not start with headers")
        }
        let observedEnd = ResponseEndObserver()
        let response = StreamingClientResponse<Output>(
            metadata: metadata,
            bodyParts: .init(parts: stream.responses, deserialize: deserialize, observedEnd: observedEnd,
                             readReporter: stream.readReporter))
        do {
            let result = try await onResponse(response)
            // A response not read to its end (the caller returned early) is cancelled.
            if !observedEnd.hasEnded { stream.cancel() }
            return result
        } catch {
            if !observedEnd.hasEnded { stream.cancel() }
            throw error
        }
    }
}

/// Marks an error thrown by the caller's request producer, which wins over the CANCELLED status
/// the call then ends with.
private struct ProducerFailure: Error {
    var error: any Error
}
