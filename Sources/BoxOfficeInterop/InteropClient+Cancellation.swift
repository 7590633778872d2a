import BoxOfficeAPI
import BoxOfficeRPC

extension InteropClient {
    func timeoutOnSleepingServer() async throws {
        try await expectStatus(.deadlineExceeded, "timeout_on_sleeping_server") {
            try await client.bidirectionalStreaming(
                request: StreamingClientRequest { writer in
                    var request = Grpc_Testing_StreamingOutputCallRequest()
                    request.payload = .zeros(27_182)
                    // The write may fail once the deadline has passed; the status says why.
                    try? await writer.write(request)
                    try await Task.sleep(for: .seconds(30))
                },
                descriptor: Methods.FullDuplexCall.descriptor,
                responseType: Grpc_Testing_StreamingOutputCallResponse.self, options: CallOptions(timeout: .milliseconds(1))
            ) { response in
                for try await _ in response.messages {}
            }
        }
    }

    func cancelAfterBegin() async throws {
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let call = Task {
            _ = try await client.clientStreaming(
                request: StreamingClientRequest<Grpc_Testing_StreamingInputCallRequest> { _ in
                    startedContinuation.yield()
                    try await Task.sleep(for: .seconds(30))
                },
                descriptor: Methods.StreamingInputCall.descriptor,
                responseType: Grpc_Testing_StreamingInputCallResponse.self, options: options)
        }
        try await cancel(call, after: started, "cancel_after_begin")
    }

    func cancelAfterFirstResponse() async throws {
        let (firstResponse, firstResponseContinuation) = AsyncStream.makeStream(of: Void.self)
        let call = Task {
            try await client.bidirectionalStreaming(
                request: StreamingClientRequest { writer in
                    var request = Grpc_Testing_StreamingOutputCallRequest()
                    request.responseParameters = [Self.parameters(31_415)]
                    request.payload = .zeros(27_182)
                    try await writer.write(request)
                    try await Task.sleep(for: .seconds(30))
                },
                descriptor: Methods.FullDuplexCall.descriptor,
                responseType: Grpc_Testing_StreamingOutputCallResponse.self, options: options
            ) { response in
                for try await message in response.messages {
                    try require(message.payload?.body.count == 31_415, "cancel_after_first_response: wrong response size")
                    firstResponseContinuation.yield()
                }
            }
        }
        try await cancel(call, after: firstResponse, "cancel_after_first_response")
    }

    /// Cancels `call` once `signal` fires and expects it to end CANCELLED.
    private func cancel(_ call: Task<Void, any Error>, after signal: AsyncStream<Void>, _ what: String) async throws {
        let signalled = await withTaskGroup(of: Bool.self) { group in
            group.addTask { _ = await call.result; return false }
            group.addTask {
                for await _ in signal { return true }
                return false
            }
            let first = await group.next() ?? false
            // Ends whichever task is still waiting: the call (cancelled) or the signal (its stream).
            call.cancel()
            group.cancelAll()
            return first
        }
        try require(signalled, "\(what): the call ended before it could be cancelled")
        switch await call.result {
        case .success:
            throw InteropCaseFailure("\(what): expected cancelled, but the call succeeded")
        case .failure(let error as RPCError):
            try require(error.code == .cancelled, "\(what): expected cancelled, got \(error)")
        case .failure(let error):
            throw InteropCaseFailure("\(what): expected cancelled, got \(error)")
        }
    }
}
