import BoxOfficeAPI
import BoxOfficeProviderSimulator
import BoxOfficeRPC
import Testing

/// CreateCharge and GetCharge over gRPC: outcomes by token, Stripe-like idempotency, bad input.
@Suite struct ChargeTests {
    @Test("approving tokens charge at once", arguments: [
        "tok_approve", "tok_webhook_lost", "tok_webhook_delayed", "tok_webhook_twice", "tok_webhook_out_of_order",
    ])
    func approves(token: String) async throws {
        try await withSimulator { world in
            let request = chargeRequest(token, amount: 12_345, currency: "USD")
            let charge = try await world.provider.createCharge(request)
            #expect(charge.status == .succeeded)
            #expect(charge.id.hasPrefix("ch_"))
            #expect(charge.amount == 12_345 && charge.currency == "USD" && charge.paymentToken == token)
            #expect(charge.idempotencyKey == request.idempotencyKey)
            #expect(charge.metadata == request.metadata)
            #expect(charge.failureCode.isEmpty && charge.createdAt != nil)
            #expect(try await world.provider.getCharge(lookup(id: charge.id)) == charge)
            #expect(try await world.provider.getCharge(lookup(key: request.idempotencyKey)) == charge)
        }
    }

    @Test("declining tokens fail with their code and charge nothing", arguments: [
        ("tok_decline_card", "card_declined"), ("tok_decline_funds", "insufficient_funds"),
    ])
    func declines(token: String, code: String) async throws {
        try await withSimulator { world in
            let charge = try await world.provider.createCharge(chargeRequest(token))
            #expect(charge.status == .failed)
            #expect(charge.failureCode == code)
            #expect(!charge.failureMessage.isEmpty)
            let refund = await statusCode {
                var request = Boxoffice_Provider_V1_CreateRefundRequest()
                request.chargeID = charge.id
                request.idempotencyKey = "refund-\(charge.id)"
                _ = try await world.provider.createRefund(request)
            }
            #expect(refund == .failedPrecondition, "a declined charge cannot be refunded")
        }
    }

    @Test("the same key and parameters answer the same charge, without charging again")
    func idempotentReplay() async throws {
        try await withSimulator { world in
            let request = chargeRequest("tok_approve")
            let first = try await world.provider.createCharge(request)
            let again = try await world.provider.createCharge(request)
            #expect(again == first)
            #expect(world.simulator.ledgerSnapshot.allCharges.count == 1)
        }
    }

    @Test("the same key with other parameters is INVALID_ARGUMENT naming what differs, and changes nothing")
    func keyReuseWithOtherParameters() async throws {
        try await withSimulator { world in
            let request = chargeRequest("tok_approve", amount: 1_000)
            let first = try await world.provider.createCharge(request)
            var other = request
            other.amount = 2_000
            do {
                _ = try await world.provider.createCharge(other)
                Issue.record("a reused key with another amount was accepted")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains("amount"))
                #expect(error.message.contains(request.idempotencyKey))
            }
            #expect(try await world.provider.getCharge(lookup(key: request.idempotencyKey)) == first)
            #expect(world.simulator.ledgerSnapshot.allCharges.count == 1)
        }
    }

    @Test("bad input is INVALID_ARGUMENT and records nothing", arguments: [
        ("empty key", chargeRequest("tok_approve", key: "")),
        ("zero amount", chargeRequest("tok_approve", amount: 0)),
        ("negative amount", chargeRequest("tok_approve", amount: -5)),
        ("lower-case currency", chargeRequest("tok_approve", currency: "eur")),
        ("four-letter currency", chargeRequest("tok_approve", currency: "EURO")),
        ("unknown token", chargeRequest("tok_nonsense")),
    ])
    func badInput(_ name: String, request: Boxoffice_Provider_V1_CreateChargeRequest) async throws {
        try await withSimulator { world in
            let code = await statusCode { _ = try await world.provider.createCharge(request) }
            #expect(code == .invalidArgument, "\(name)")
            #expect(world.simulator.ledgerSnapshot.allCharges.isEmpty, "\(name)")
        }
    }

    @Test("GetCharge: unknown id or key is NOT_FOUND, an empty lookup INVALID_ARGUMENT")
    func getChargeErrors() async throws {
        try await withSimulator { world in
            #expect(await statusCode { _ = try await world.provider.getCharge(lookup(id: "ch_nope")) } == .notFound)
            #expect(await statusCode { _ = try await world.provider.getCharge(lookup(key: "nope")) } == .notFound)
            #expect(await statusCode { _ = try await world.provider.getCharge(Boxoffice_Provider_V1_GetChargeRequest()) }
                    == .invalidArgument)
            #expect(await statusCode { _ = try await world.provider.getCharge(lookup(id: "")) } == .invalidArgument)
        }
    }

    @Test("a simulated outage is UNAVAILABLE and records nothing, so a retry with the key is safe")
    func errorRate() async throws {
        var configuration = SimulatorConfiguration.fastTest
        configuration.errorRate = 1
        try await withSimulator(configuration: configuration) { world in
            let code = await statusCode { _ = try await world.provider.createCharge(chargeRequest("tok_approve")) }
            #expect(code == .unavailable)
            #expect(world.simulator.ledgerSnapshot.allCharges.isEmpty)
        }
    }

    @Test("the configured latency is respected")
    func latency() async throws {
        var configuration = SimulatorConfiguration.fastTest
        configuration.baseLatency = .milliseconds(150)
        try await withSimulator(configuration: configuration) { world in
            let start = ContinuousClock.now
            let charge = try await world.provider.createCharge(chargeRequest("tok_approve"))
            #expect(charge.status == .succeeded)
            #expect(ContinuousClock.now - start >= .milliseconds(150))
        }
    }
}
