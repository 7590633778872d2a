import BoxOfficeAPI
import BoxOfficeInterop
import BoxOfficeRPC
import Testing

/// Our interop client against our interop server, in-process, every case.
@Suite struct InteropTests {
    @Test(arguments: InteropTestCase.allCases)
    func interopCasePasses(_ testCase: InteropTestCase) async throws {
        try await withInteropServer { client, _ in
            try await InteropClient(client: client, callTimeout: .seconds(10)).run(testCase)
        }
    }

    @Test func halfDuplexAnswersAfterTheRequestsEnd() async throws {
        try await withInteropServer { client, _ in
            let sizes: [Int32] = [3, 1, 2]
            let received = try await client.bidirectionalStreaming(
                request: StreamingClientRequest { writer in
                    for size in sizes {
                        var request = Grpc_Testing_StreamingOutputCallRequest()
                        var parameters = Grpc_Testing_ResponseParameters()
                        parameters.size = size
                        request.responseParameters = [parameters]
                        try await writer.write(request)
                    }
                },
                descriptor: Grpc_Testing_TestService.Method.HalfDuplexCall.descriptor,
                responseType: Grpc_Testing_StreamingOutputCallResponse.self, options: CallOptions(timeout: .seconds(10))
            ) { response in
                var received: [Int32] = []
                for try await message in response.messages { received.append(Int32(message.payload?.body.count ?? -1)) }
                return received
            }
            #expect(received == sizes)
        }
    }

    @Test func aRequestExpectingCompressionIsRejected() async throws {
        try await withInteropServer { client, _ in
            var request = Grpc_Testing_SimpleRequest()
            var flag = Grpc_Testing_BoolValue()
            flag.value = true
            request.expectCompressed = flag
            await #expect {
                _ = try await client.unary(request: ClientRequest(message: request),
                                           descriptor: Grpc_Testing_TestService.Method.UnaryCall.descriptor,
                                           responseType: Grpc_Testing_SimpleResponse.self,
                                           options: CallOptions(timeout: .seconds(10)))
            } throws: { ($0 as? RPCError)?.code == .invalidArgument }
        }
    }

    @Test func failingCasesAreReportedByName() async throws {
        // Against a server without TestService, a case that calls it fails; one about an
        // unimplemented service still passes.
        try await withInteropServer(withTestService: false) { client, _ in
            let failures = await InteropClient(client: client, callTimeout: .seconds(10))
                .run([.emptyUnary, .unimplementedService, .largeUnary])
            #expect(failures.map(\.0) == [.emptyUnary, .largeUnary])
            #expect(failures.allSatisfy { ($0.1 as? RPCError)?.code == .unimplemented })
        }
    }
}
