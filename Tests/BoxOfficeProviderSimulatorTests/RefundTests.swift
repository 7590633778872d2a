import BoxOfficeAPI
import BoxOfficeProviderSimulator
import BoxOfficeRPC
import Testing

/// CreateRefund over gRPC: full and partial refunds, idempotency, never more than was captured.
@Suite struct RefundTests {
    private func refund(_ chargeID: String, amount: Int64 = 0, key: String) -> Boxoffice_Provider_V1_CreateRefundRequest {
        var request = Boxoffice_Provider_V1_CreateRefundRequest()
        request.chargeID = chargeID
        request.amount = amount
        request.idempotencyKey = key
        request.reason = "seats could not be confirmed"
        return request
    }

    @Test("partial then full refund; the charge shows what was refunded; more is FAILED_PRECONDITION")
    func partialAndFull() async throws {
        try await withSimulator { world in
            let charge = try await world.provider.createCharge(chargeRequest("tok_approve", amount: 1_000))
            let part = try await world.provider.createRefund(refund(charge.id, amount: 300, key: "r1"))
            #expect(part.status == .succeeded && part.amount == 300 && part.currency == charge.currency)
            #expect(part.chargeID == charge.id && part.id.hasPrefix("re_"))
            let rest = try await world.provider.createRefund(refund(charge.id, key: "r2"))
            #expect(rest.amount == 700, "amount 0 refunds what is left")
            #expect(try await world.provider.getCharge(lookup(id: charge.id)).amountRefunded == 1_000)
            let more = await statusCode { _ = try await world.provider.createRefund(refund(charge.id, amount: 1, key: "r3")) }
            #expect(more == .failedPrecondition)
        }
    }

    @Test("the same refund key answers the same refund; with other parameters it is INVALID_ARGUMENT")
    func idempotent() async throws {
        try await withSimulator { world in
            let charge = try await world.provider.createCharge(chargeRequest("tok_approve", amount: 1_000))
            let first = try await world.provider.createRefund(refund(charge.id, amount: 400, key: "r"))
            #expect(try await world.provider.createRefund(refund(charge.id, amount: 400, key: "r")) == first)
            let other = await statusCode { _ = try await world.provider.createRefund(refund(charge.id, amount: 500, key: "r")) }
            #expect(other == .invalidArgument)
            #expect(try await world.provider.getCharge(lookup(id: charge.id)).amountRefunded == 400)
        }
    }

    @Test("bad refunds: unknown charge NOT_FOUND, negative amount and missing key INVALID_ARGUMENT")
    func badInput() async throws {
        try await withSimulator { world in
            let charge = try await world.provider.createCharge(chargeRequest("tok_approve", amount: 1_000))
            #expect(await statusCode { _ = try await world.provider.createRefund(refund("ch_nope", key: "a")) } == .notFound)
            #expect(await statusCode { _ = try await world.provider.createRefund(refund(charge.id, amount: -1, key: "b")) }
                    == .invalidArgument)
            #expect(await statusCode { _ = try await world.provider.createRefund(refund(charge.id, key: "")) } == .invalidArgument)
            #expect(try await world.provider.getCharge(lookup(id: charge.id)).amountRefunded == 0)
        }
    }
}
