import BoxOfficePayment
import BoxOfficeProviderSimulator
import Foundation
import Testing

/// Booking's side of the world: outcome notifications in, refunds out.
extension PaymentWorld {
    /// The outbox deliverer, with booking as the receiver (deduplicating by notification id).
    mutating func deliverNotifications() async throws {
        for var notification in await store.notificationsDue(at: now, limit: 1000) {
            if notification.failedAttempts > 0 { stats.redeliveredNotifications += 1 }
            if random.chance(0.2) {
                notification.deliveryFailed(at: now, retry: policy.notificationRetry)
                await store.updateNotification(notification)
                continue
            }
            var booking = try #require(bookings[notification.bookingID])
            if !booking.received.contains(notification.id) {
                booking.received.append(notification.id)
                switch notification.status {
                case .captured:
                    // Most captured payments become tickets; some cannot (seats lost) and are refunded.
                    if random.chance(0.8) { booking.confirmed = true } else { booking.wantsRefund = true }
                case .refunded, .declined, .notCharged, .pending:
                    break
                }
                bookings[booking.id] = booking
            }
            if random.chance(0.1) {
                notification.deliveryFailed(at: now, retry: policy.notificationRetry) // the ack was lost
            } else {
                notification.acknowledge(at: now)
            }
            await store.updateNotification(notification)
        }
    }

    /// Booking asks for the refunds it needs, retrying with the same key until the payment is REFUNDED.
    mutating func requestRefunds() async throws {
        for id in bookings.keys.sorted() where bookings[id]!.wantsRefund && !bookings[id]!.refundDone {
            guard random.chance(0.5) else { continue }
            let payment = await store.payment(.bookingID(id))
            let command = RefundCommand(bookingID: id, reason: "seats could not be confirmed", idempotencyKey: "refund-\(id)")
            switch RefundDecision(command, payment: payment) {
            case .answer(let payment):
                #expect(payment.status == .refunded)
                bookings[id]!.refundDone = true
            case .reject(let error):
                Issue.record("refund refused: \(error)")
            case .callProvider(let call):
                let refund = try ledger.createRefund(
                    CreateRefundRequest(chargeID: call.chargeID, amount: call.amount, idempotencyKey: call.idempotencyKey, reason: call.reason), at: now)
                if random.chance(0.2) {
                    stats.lostRefundAnswers += 1 // the answer never arrives; booking retries with the same key
                    continue
                }
                stats.refunds += 1
                try await apply(.refundAnswered(ProviderRefund(refundID: refund.id, chargeID: refund.chargeID, amount: refund.amount,
                                                               reason: refund.reason, idempotencyKey: call.idempotencyKey)), to: id)
            }
        }
    }
}
