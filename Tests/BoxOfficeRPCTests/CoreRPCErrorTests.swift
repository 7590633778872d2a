import Testing
@testable import BoxOfficeRPC

@Suite struct CoreRPCErrorTests {
    @Test func canonicalCodesHaveTheirNumbers() {
        #expect(RPCError.Code.allCanonical.count == 17)
        #expect(RPCError.Code.ok.rawValue == 0)
        #expect(RPCError.Code.deadlineExceeded.rawValue == 4)
        #expect(RPCError.Code.resourceExhausted.rawValue == 8)
        #expect(RPCError.Code.unimplemented.rawValue == 12)
        #expect(RPCError.Code.internal.rawValue == 13)
        #expect(RPCError.Code.unauthenticated.rawValue == 16)
        #expect(RPCError.Code(rawValue: 99).isCanonical == false)
    }

    @Test(arguments: [("0", 0), ("13", 13), ("16", 16), ("42", 42)])
    func parsesStatusHeader(text: String, value: Int) {
        #expect(RPCError.Code(headerValue: text)?.rawValue == value)
    }

    @Test(arguments: ["", "-1", "1a", " 1", "12345678901"])
    func rejectsBadStatusHeader(text: String) {
        #expect(RPCError.Code(headerValue: text) == nil)
    }

    @Test func statusFromHeadersDecodesMessage() throws {
        let status = try #require(Status(statusHeader: "3", messageHeader: "bad%20seat%25"))
        #expect(status.code == .invalidArgument)
        #expect(status.message == "bad seat%")
        #expect(Status(statusHeader: nil, messageHeader: "x") == nil)
        #expect(RPCError(status: .ok) == nil)
        #expect(RPCError(status: status)?.code == .invalidArgument)
    }
}
