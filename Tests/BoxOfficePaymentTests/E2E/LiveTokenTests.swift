import BoxOfficeAPI
import BoxOfficePayment
import BoxOfficeProviderSimulator
import BoxOfficeRPC
import Foundation
import Testing

/// Every test token end to end: payment service on gRPC + PostgreSQL, the real simulator, signed
/// webhooks, the reconciler and the outbox to a fake booking service.
@Suite("Payment live: every test token against the simulator and PostgreSQL", .serialized)
struct LiveTokenTests {
    struct Expectation: Sendable, CustomTestStringConvertible {
        var token: TestToken
        /// What Charge answers.
        var answered: PaymentStatus
        /// Where the payment ends.
        var settled: PaymentStatus
        var outcome: Boxoffice_Booking_V1_PaymentOutcome
        var declineCode = ""

        var testDescription: String { token.rawValue }
    }

    static let expectations: [Expectation] = [
        Expectation(token: .approve, answered: .captured, settled: .captured, outcome: .captured),
        Expectation(token: .declineCard, answered: .declined, settled: .declined, outcome: .declined, declineCode: "card_declined"),
        Expectation(token: .declineFunds, answered: .declined, settled: .declined, outcome: .declined, declineCode: "insufficient_funds"),
        Expectation(token: .timeoutCharge, answered: .pending, settled: .captured, outcome: .captured),
        Expectation(token: .timeoutNoCharge, answered: .pending, settled: .notCharged, outcome: .notCharged,
                    declineCode: "processing_error"),
        Expectation(token: .webhookLost, answered: .captured, settled: .captured, outcome: .captured),
        Expectation(token: .webhookDelayed, answered: .captured, settled: .captured, outcome: .captured),
        Expectation(token: .webhookTwice, answered: .captured, settled: .captured, outcome: .captured),
        Expectation(token: .webhookOutOfOrder, answered: .captured, settled: .captured, outcome: .captured),
    ]

    @Test("a token's charge answers, settles, and booking hears one outcome", arguments: expectations)
    func token(_ expected: Expectation) async throws {
        try await withLivePayment { world in
            let booking = "b-\(expected.token.rawValue)"
            let answered = try await world.charge(booking, token: expected.token.rawValue)
            #expect(answered.status == PaymentWire.status(expected.answered))
            #expect(answered.bookingID == booking)
            #expect(try await world.settles(booking, at: expected.settled, outcome: expected.outcome))
            let settled = try await world.getPayment(booking: booking)
            #expect(settled.status == PaymentWire.status(expected.settled))
            #expect(settled.declineCode == expected.declineCode)
            if expected.settled == .captured { #expect(!settled.providerChargeID.isEmpty) }
            // A retry is the same payment, whatever happened meanwhile.
            let retried = try await world.charge(booking, token: expected.token.rawValue)
            #expect(retried.id == answered.id)
            #expect(retried.status == settled.status)
            // Let the token's webhooks (late, doubled, out of order) arrive; nothing may change.
            #expect(try await world.eventually { world.simulator.ledgerSnapshot.webhooks.scheduledCount == 0 })
            let deliveries = world.simulator.ledgerSnapshot.webhooks.all
            #expect(deliveries.allSatisfy { $0.state == .acknowledged }, "every webhook delivery was acknowledged")
            let events = Set(deliveries.map(\.event.id))
            switch expected.token {
            case .webhookLost: #expect(deliveries.isEmpty)
            case .webhookTwice: #expect(deliveries.count == 2 * events.count && !events.isEmpty)
            default: #expect(deliveries.count == events.count && !events.isEmpty)
            }
            let processed = try await world.database.query("SELECT count(*) FROM processed_webhook_events")[0].decode(Int64.self, column: 0)
            #expect(processed == Int64(events.count), "each event applied once")
            #expect(try await world.getPayment(booking: booking).status == settled.status)
            try await world.checkInvariants()
        }
    }

    @Test("a captured payment is refunded once; booking hears CAPTURED then REFUNDED")
    func refund() async throws {
        try await withLivePayment { world in
            _ = try await world.charge("b-refund", token: TestToken.approve.rawValue, amount: 7_000)
            #expect(try await world.settles("b-refund", at: .captured, outcome: .captured))
            var request = Boxoffice_Payment_V1_RefundRequest()
            request.bookingID = "b-refund"
            request.reason = "seats could not be confirmed"
            request.idempotencyKey = "refund-1"
            let refunded = try #require(try await world.payments.refund(request).payment)
            #expect(refunded.status == .refunded)
            #expect(refunded.refunds.map { $0.amount?.amountMinor } == [7_000])
            let again = try #require(try await world.payments.refund(request).payment)
            #expect(again == refunded, "a retried refund answers the same")
            #expect(world.simulator.ledgerSnapshot.allRefunds.count == 1)
            #expect(try await world.settles("b-refund", at: .refunded, outcome: .refunded))
            try await world.checkInvariants()
        }
    }

    @Test("concurrent Charges for one booking: one provider charge; every answer is that payment or ABORTED")
    func concurrentRetries() async throws {
        try await withLivePayment { world in
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        do {
                            return try await world.charge("b-herd", token: TestToken.approve.rawValue).id
                        } catch let error as RPCError where error.code == .aborted {
                            return "ABORTED"
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            let ids = Set(answers.filter { $0 != "ABORTED" })
            #expect(ids.count == 1, "every successful answer is the same payment: \(answers)")
            #expect(try await world.settles("b-herd", at: .captured, outcome: .captured))
            let key = ProviderChargeCall.idempotencyKey(forBooking: "b-herd")
            #expect(world.simulator.ledgerSnapshot.allCharges.filter { $0.idempotencyKey == key }.count == 1)
            try await world.quiesce()
            try await world.checkInvariants()
        }
    }

    @Test("outcomes are redelivered until booking acknowledges them")
    func redelivery() async throws {
        let booking = BookingOutcomeRecorder(refusing: 3)
        try await withLivePayment(booking: booking) { world in
            _ = try await world.charge("b-redeliver", token: TestToken.approve.rawValue)
            #expect(try await world.settles("b-redeliver", at: .captured, outcome: .captured))
            #expect(booking.refused == 3)
            #expect(try await world.eventually {
                try await world.store.notificationsDue(at: Date().addingTimeInterval(3600), limit: 10).isEmpty
            })
            try await world.checkInvariants()
        }
    }
}
