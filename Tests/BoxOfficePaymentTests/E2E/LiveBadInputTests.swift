import BoxOfficeAPI
import BoxOfficePayment
import BoxOfficeProto
import BoxOfficeProviderSimulator
import BoxOfficeRPC
import Foundation
import Testing

/// Bad input over gRPC: the right status, a message that says what was wrong, and nothing changed.
@Suite("Payment live: bad input is refused and changes nothing", .serialized)
struct LiveBadInputTests {
    /// Rows in every payment table, to show a refusal wrote nothing.
    static func footprint(_ world: LivePaymentWorld) async throws -> [Int64] {
        var counts: [Int64] = []
        for table in ["payments", "payment_refunds", "processed_webhook_events", "outcome_outbox"] {
            counts.append(try await world.database.query("SELECT count(*) FROM \(table)")[0].decode(Int64.self, column: 0))
        }
        return counts
    }

    @Test("Charge: bad amounts, currencies and fields; another amount for a charged booking; too short a deadline")
    func charge() async throws {
        try await withLivePayment { world in
            _ = try await world.charge("b-known", token: TestToken.approve.rawValue, amount: 1_000)
            try await world.quiesce()
            let before = try await Self.footprint(world)
            let ledgerBefore = world.simulator.ledgerSnapshot.allCharges.count
            let cases: [(String, Boxoffice_Payment_V1_ChargeRequest, RPCError.Code, String)] = [
                ("zero amount", world.chargeRequest("b-x", token: "tok_approve", amount: 0), .invalidArgument, "must be positive"),
                ("negative amount", world.chargeRequest("b-x", token: "tok_approve", amount: -5), .invalidArgument, "must be positive"),
                ("unknown currency", world.chargeRequest("b-x", token: "tok_approve", currency: "XYZ"), .invalidArgument, "XYZ"),
                ("lower-case currency", world.chargeRequest("b-x", token: "tok_approve", currency: "usd"), .invalidArgument, "upper case"),
                ("no booking", world.chargeRequest("", token: "tok_approve"), .invalidArgument, "booking_id"),
                ("no token", world.chargeRequest("b-x", token: ""), .invalidArgument, "payment_token"),
                ("another amount", world.chargeRequest("b-known", token: "tok_approve", amount: 2_000), .invalidArgument, "already being charged"),
                ("deadline too close", world.chargeRequest("b-x", token: "tok_approve", deadline: Date().addingTimeInterval(0.1)),
                 .deadlineExceeded, "nothing was charged"),
            ]
            for (name, request, code, fragment) in cases {
                let status = await rpcStatus { _ = try await world.payments.charge(request) }
                #expect(status?.code == code, "\(name): \(String(describing: status))")
                #expect(status?.message.contains(fragment) == true, "\(name): \(String(describing: status?.message))")
            }
            #expect(try await Self.footprint(world) == before)
            #expect(world.simulator.ledgerSnapshot.allCharges.count == ledgerBefore, "no provider call was started")
            try await world.checkInvariants()
        }
    }

    @Test("Charge while the booking's provider call is in flight is ABORTED; the first call still settles")
    func inFlight() async throws {
        try await withLivePayment { world in
            async let first = world.charge("b-flight", token: TestToken.timeoutCharge.rawValue)
            #expect(try await world.eventually { try await world.store.payment(.bookingID("b-flight")) != nil })
            let status = await rpcStatus { _ = try await world.payments.charge(world.chargeRequest("b-flight", token: "tok_timeout_charge")) }
            #expect(status?.code == .aborted, "\(String(describing: status))")
            #expect(status?.message.contains("in flight") == true)
            #expect(try await first.status == .pending)
            #expect(try await world.settles("b-flight", at: .captured, outcome: .captured))
            try await world.checkInvariants()
        }
    }

    @Test("GetPayment and Refund: missing and unknown payments, refunding what was not captured")
    func lookupsAndRefunds() async throws {
        try await withLivePayment { world in
            _ = try await world.charge("b-declined", token: TestToken.declineCard.rawValue)
            try await world.quiesce()
            let before = try await Self.footprint(world)
            let empty = await rpcStatus { _ = try await world.payments.getPayment(Boxoffice_Payment_V1_GetPaymentRequest()) }
            #expect(empty?.code == .invalidArgument)
            var unknown = Boxoffice_Payment_V1_GetPaymentRequest()
            unknown.lookup = .paymentID("pay_nope")
            #expect(await rpcStatus { _ = try await world.payments.getPayment(unknown) }?.code == .notFound)

            var refund = Boxoffice_Payment_V1_RefundRequest()
            refund.bookingID = "b-nope"
            #expect(await rpcStatus { _ = try await world.payments.refund(refund) }?.code == .notFound)
            refund.bookingID = "b-declined"
            let declined = await rpcStatus { _ = try await world.payments.refund(refund) }
            #expect(declined?.code == .failedPrecondition)
            #expect(declined?.message.contains("DECLINED") == true)
            refund.bookingID = ""
            #expect(await rpcStatus { _ = try await world.payments.refund(refund) }?.code == .invalidArgument)
            #expect(try await Self.footprint(world) == before)
            try await world.checkInvariants()
        }
    }

    @Test("webhooks: missing, wrong and stale signatures, garbage, unknown charges are refused; a replayed id changes nothing")
    func webhooks() async throws {
        try await withLivePayment { world in
            _ = try await world.charge("b-hook", token: TestToken.webhookLost.rawValue)
            let payment = try await world.getPayment(booking: "b-hook")
            try await world.quiesce()
            let signer = WebhookSigner(secret: liveWebhookSecret)
            func delivery(_ event: Boxoffice_Provider_V1_WebhookEvent, signer: WebhookSigner, at time: Date = Date())
                -> Boxoffice_Provider_V1_WebhookDelivery {
                var delivery = Boxoffice_Provider_V1_WebhookDelivery()
                delivery.payload = event.serializedBytes()
                delivery.signature = signer.signatureHeader(for: delivery.payload, at: time)
                delivery.attempt = 1
                return delivery
            }
            func chargeEvent(id: String, booking: String, chargeID: String) -> Boxoffice_Provider_V1_WebhookEvent {
                var charge = Boxoffice_Provider_V1_Charge()
                charge.id = chargeID
                charge.idempotencyKey = ProviderChargeCall.idempotencyKey(forBooking: booking)
                charge.amount = 2_500
                charge.currency = "USD"
                charge.status = .succeeded
                var event = Boxoffice_Provider_V1_WebhookEvent()
                event.id = id
                event.type = .chargeSucceeded
                event.createdAt = Google_Protobuf_Timestamp(date: Date())
                event.sequence = 1
                event.data = .charge(charge)
                return event
            }
            let good = chargeEvent(id: "evt_test_1", booking: "b-hook", chargeID: payment.providerChargeID)
            let before = try await Self.footprint(world)

            var unsigned = delivery(good, signer: signer)
            unsigned.signature = ""
            var tampered = delivery(good, signer: signer)
            tampered.payload[tampered.payload.count - 1] ^= 0x01
            var garbage = Boxoffice_Provider_V1_WebhookDelivery()
            garbage.payload = [0xFF, 0xFF, 0xFF]
            garbage.signature = signer.signatureHeader(for: garbage.payload, at: Date())
            let cases: [(String, Boxoffice_Provider_V1_WebhookDelivery, RPCError.Code, String)] = [
                ("missing signature", unsigned, .unauthenticated, "no signature"),
                ("wrong secret", delivery(good, signer: WebhookSigner(secret: "whsec_other")), .unauthenticated, "does not match"),
                ("tampered payload", tampered, .unauthenticated, "does not match"),
                ("replayed old delivery", delivery(good, signer: signer, at: Date().addingTimeInterval(-3600)), .unauthenticated, "replay window"),
                ("from the future", delivery(good, signer: signer, at: Date().addingTimeInterval(3600)), .unauthenticated, "future"),
                ("not an event", garbage, .invalidArgument, "not a boxoffice.provider.v1.WebhookEvent"),
                ("unknown charge", delivery(chargeEvent(id: "evt_test_2", booking: "b-elsewhere", chargeID: "ch_x"), signer: signer),
                 .notFound, "no payment"),
            ]
            for (name, request, code, fragment) in cases {
                let status = await rpcStatus { _ = try await world.webhooks.deliver(request) }
                #expect(status?.code == code, "\(name): \(String(describing: status))")
                #expect(status?.message.contains(fragment) == true, "\(name): \(String(describing: status?.message))")
            }
            #expect(try await Self.footprint(world) == before)

            // The (lost) webhook arrives after all: applied once, changing nothing; its replay is a duplicate.
            let stored = try await world.store.payment(.bookingID("b-hook"))
            let first = try await world.webhooks.deliver(delivery(good, signer: signer))
            #expect(first.accepted)
            let replay = try await world.webhooks.deliver(delivery(good, signer: signer))
            #expect(replay.accepted)
            #expect(replay.detail == "duplicate")
            #expect(try await world.store.payment(.bookingID("b-hook")) == stored, "a late success of a captured payment changes nothing")
            let processed = try await world.database.query("SELECT count(*) FROM processed_webhook_events")[0].decode(Int64.self, column: 0)
            #expect(processed == 1)
            try await world.checkInvariants()
        }
    }
}
