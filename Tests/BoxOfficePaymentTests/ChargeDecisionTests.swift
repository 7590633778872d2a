import BoxOfficePayment
import Foundation
import Testing

@Suite("Payment: Charge validation and decisions")
struct ChargeDecisionTests {
    func command(amount: Int64 = 1000, deadline: Date = t0.plus(600)) -> ChargeCommand {
        ChargeCommand(bookingID: "b-1", amount: usd(amount), paymentToken: "tok_approve", deadline: deadline, metadata: ["event": "e-1"])
    }

    @Test("a new booking: a PENDING payment and a provider call keyed by the booking")
    func newBooking() throws {
        let decision = ChargeDecision(command(), existing: nil, newPaymentID: "pay-1", at: t0, policy: defaultPolicy)
        guard case .callProvider(let payment, let call) = decision else {
            Issue.record("expected a provider call, got \(decision)")
            return
        }
        #expect(payment.status == .pending)
        #expect(payment.id == "pay-1")
        #expect(payment.bookingID == "b-1")
        #expect(payment.amount == usd(1000))
        #expect(payment.attempts == 1)
        #expect(payment.deadline == t0.plus(600))
        #expect(payment.providerCallDeadline == t0.plus(30))
        #expect(payment.isProviderCallInFlight(at: t0.plus(29.9)))
        #expect(!payment.isProviderCallInFlight(at: t0.plus(30)))
        #expect(call.idempotencyKey == "boxoffice-booking-b-1")
        #expect(ProviderChargeCall.bookingID(fromIdempotencyKey: call.idempotencyKey) == "b-1")
        #expect(call.timeout == .seconds(30))
        #expect(call.amount == usd(1000))
        #expect(call.metadata == ["event": "e-1", "booking_id": "b-1", "payment_id": "pay-1"])
    }

    @Test("never starts a provider call that cannot finish before the deadline")
    func deadline() {
        let tooClose = ChargeDecision(command(deadline: t0.plus(29)), existing: nil, newPaymentID: "p", at: t0, policy: defaultPolicy)
        #expect(tooClose == .reject(PaymentError(.deadlineExceeded,
            "the deadline leaves 29 s but a provider call may take 30 s; nothing was charged")))
        let past = ChargeDecision(command(deadline: t0.plus(-5)), existing: nil, newPaymentID: "p", at: t0, policy: defaultPolicy)
        #expect(past == .reject(PaymentError(.deadlineExceeded, "the deadline leaves 0 s but a provider call may take 30 s; nothing was charged")))
        let exact = ChargeDecision(command(deadline: t0.plus(30)), existing: nil, newPaymentID: "p", at: t0, policy: defaultPolicy)
        guard case .callProvider = exact else {
            Issue.record("a call that ends exactly at the deadline may start")
            return
        }
        let quick = PaymentPolicy(providerTimeout: .seconds(5))
        let withShortTimeout = ChargeDecision(command(deadline: t0.plus(29)), existing: nil, newPaymentID: "p", at: t0, policy: quick)
        guard case .callProvider(_, let call) = withShortTimeout else {
            Issue.record("a 5 s provider timeout fits in 29 s")
            return
        }
        #expect(call.timeout == .seconds(5))
    }

    @Test("same booking while the call is in flight: ABORTED; afterwards the same payment")
    func idempotentByBooking() {
        let existing = payment(.pending) // call in flight until t0 + 30
        let during = ChargeDecision(command(), existing: existing, newPaymentID: "other", at: t0.plus(10), policy: defaultPolicy)
        #expect(during == .reject(PaymentError(.aborted, "a charge for booking b-1 is still in flight; retry after it answers")))
        let after = ChargeDecision(command(), existing: existing, newPaymentID: "other", at: t0.plus(31), policy: defaultPolicy)
        #expect(after == .answer(existing))
        for status in [PaymentStatus.captured, .declined, .notCharged, .refunded] {
            let settled = payment(status)
            #expect(ChargeDecision(command(), existing: settled, newPaymentID: "other", at: t0.plus(1), policy: defaultPolicy) == .answer(settled))
        }
        // A retry needs no time budget: it starts nothing.
        #expect(ChargeDecision(command(deadline: t0), existing: payment(.captured), newPaymentID: "x", at: t0.plus(1), policy: defaultPolicy)
                == .answer(payment(.captured)))
    }

    @Test("same booking, other amount: INVALID_ARGUMENT saying both amounts")
    func otherAmount() {
        let decision = ChargeDecision(command(amount: 1234), existing: payment(.captured), newPaymentID: "x", at: t0, policy: defaultPolicy)
        #expect(decision == .reject(PaymentError(.invalidArgument,
            "booking b-1 is already being charged 10.00 USD; this request asks 12.34 USD")))
    }

    @Test("bad input says what was wrong", arguments: [
        ("", 100, "USD", "tok", "booking_id is empty"),
        ("b", 0, "USD", "tok", "amount.amount_minor must be positive, got 0"),
        ("b", -250, "USD", "tok", "amount.amount_minor must be positive, got -250"),
        ("b", 100, "XYZ", "tok", "amount.currency \"XYZ\" is not a currency this service accepts"),
        ("b", 100, "usd", "tok", "amount.currency \"usd\" must be upper case: \"USD\""),
        ("b", 100, "", "tok", "amount.currency is empty"),
        ("b", 100, "USD", "", "payment_token is empty"),
    ] as [(String, Int64, String, String, String)])
    func badInput(booking: String, amount: Int64, currency: String, token: String, message: String) {
        #expect {
            _ = try ChargeCommand.validated(bookingID: booking, amountMinor: amount, currencyCode: currency,
                                            paymentToken: token, deadline: t0)
        } throws: { error in
            guard let error = error as? PaymentError else { return false }
            return error.code == .invalidArgument && error.message.contains(message)
        }
    }

    @Test("a missing deadline is bad input; good input validates")
    func validation() throws {
        #expect(throws: PaymentError(.invalidArgument, "deadline is missing; a charge must say when it must be decided by")) {
            try ChargeCommand.validated(bookingID: "b", amountMinor: 1, currencyCode: "USD", paymentToken: "t", deadline: nil)
        }
        let command = try ChargeCommand.validated(bookingID: "b", amountMinor: 500, currencyCode: "JPY", paymentToken: "t",
                                                  deadline: t0, metadata: ["k": "v"])
        #expect(command.amount.currency.minorUnitExponent == 0)
        #expect(command.metadata == ["k": "v"])
    }

    @Test("currencies carry ISO 4217 exponents; money prints in major units")
    func currencies() throws {
        #expect(Currency(code: "USD")?.minorUnitExponent == 2)
        #expect(Currency(code: "JPY")?.minorUnitExponent == 0)
        #expect(Currency(code: "KWD")?.minorUnitExponent == 3)
        #expect(Currency(code: "usd") == nil)
        #expect(Currency.accepted.values.allSatisfy { $0.code.count == 3 && $0.code == $0.code.uppercased() })
        #expect(Currency.accepted.count >= 40)
        #expect(usd(1234).description == "12.34 USD")
        #expect(usd(5).description == "0.05 USD")
        #expect(usd(-1234).description == "-12.34 USD")
        #expect(Money(amountMinor: 1200, currency: try #require(Currency(code: "JPY"))).description == "1200 JPY")
        #expect(Money(amountMinor: 1005, currency: try #require(Currency(code: "KWD"))).description == "1.005 KWD")
        // Stored and sent as the bare code; an unaccepted code does not decode.
        let json = try JSONEncoder().encode(usd(250))
        #expect(try JSONDecoder().decode(Money.self, from: json) == usd(250))
        #expect(String(decoding: try JSONEncoder().encode(usdCurrency), as: UTF8.self) == "\"USD\"")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Currency.self, from: Data("\"XYZ\"".utf8)) }
    }
}
