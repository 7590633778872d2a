import BoxOfficePayment
import BoxOfficeProviderSimulator
import Foundation
import Testing

extension PaymentWorld {
    /// Checks the money invariants once the world has settled.
    func checkInvariants() async throws {
        #expect(contradictions.isEmpty, "\(contradictions)")
        let payments = await store.allPayments
        let charges = ledger.allCharges
        // Each booking charged at most once.
        var chargesPerBooking: [String: Int] = [:]
        for charge in charges {
            let booking = try #require(charge.metadata["booking_id"])
            chargesPerBooking[booking, default: 0] += 1
        }
        #expect(chargesPerBooking.values.allSatisfy { $0 == 1 })
        #expect(payments.count == bookings.count, "every booking has exactly one payment")
        #expect(!payments.contains { $0.status == .pending })

        for payment in payments {
            let booking = try #require(bookings[payment.bookingID])
            let charge = try? ledger.charge(.idempotencyKey(payment.providerIdempotencyKey))
            switch payment.status {
            case .captured, .refunded:
                #expect(charge?.status == .succeeded, "\(payment.bookingID)")
                #expect(charge?.id == payment.providerChargeID)
                #expect(charge?.amountRefunded == payment.refundedAmount)
                #expect(charge?.amount == payment.amount.amountMinor)
            case .declined:
                #expect(charge?.status == .failed)
                #expect([TestToken.declineCard, .declineFunds].contains(booking.token))
            case .notCharged:
                if let charge, charge.status == .succeeded {
                    // Charged by a request that arrived too late: refunded in full.
                    #expect(orphanCharges.contains(charge.id))
                    #expect(charge.amountRefunded == charge.amount)
                } else {
                    #expect(charge == nil || charge?.status == .failed)
                }
            case .pending:
                Issue.record("PENDING left: \(payment.bookingID)")
            }
            // Booking heard exactly one first outcome, and REFUNDED exactly when it asked for a refund.
            let firsts = booking.received.filter { !$0.hasSuffix("/REFUNDED") }
            #expect(firsts.count == 1, "\(booking.id) got \(booking.received)")
            #expect(firsts.first == "\(payment.id)/\(payment.status == .refunded ? "CAPTURED" : payment.status.rawValue)")
            #expect(booking.received.contains("\(payment.id)/REFUNDED") == booking.wantsRefund)
            #expect((payment.status == .refunded) == booking.wantsRefund)
            #expect(booking.confirmed == (payment.status == .captured))
        }

        // Money, per currency: captured = confirmed + refunded, at the provider and in payments.
        var captured: [String: Int64] = [:]
        var refunded: [String: Int64] = [:]
        var confirmed: [String: Int64] = [:]
        for charge in charges where charge.status == .succeeded { captured[charge.currency, default: 0] += charge.amount }
        for refund in ledger.allRefunds { refunded[refund.currency, default: 0] += refund.amount }
        for booking in bookings.values where booking.confirmed {
            confirmed[booking.amount.currency.code, default: 0] += booking.amount.amountMinor
        }
        for currency in Set(captured.keys).union(refunded.keys).union(confirmed.keys) {
            #expect(captured[currency, default: 0] == confirmed[currency, default: 0] + refunded[currency, default: 0], "\(currency)")
        }
        var paymentRefunded: [String: Int64] = [:]
        for payment in payments { paymentRefunded[payment.amount.currency.code, default: 0] += payment.refundedAmount }
        var bookingRefunds: [String: Int64] = [:]
        for refund in ledger.allRefunds where !orphanCharges.contains(refund.chargeID) {
            bookingRefunds[refund.currency, default: 0] += refund.amount
        }
        #expect(paymentRefunded.filter { $0.value != 0 } == bookingRefunds.filter { $0.value != 0 })
    }
}
