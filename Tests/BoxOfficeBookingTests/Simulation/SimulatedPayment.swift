import BoxOfficeBooking

/// Payment and its provider as the saga sees them, kept honest: one payment per booking (Charge is
/// idempotent by booking id), seeded provider behaviours, pending payments resolved later by a
/// reconciler, refunds only of captured money. Money movements are counted for the invariants.
struct SimulatedPayment {
    enum Behaviour: CaseIterable {
        case approve, decline, lateCharge, lateNoCharge, slowAnswerButCharge
    }

    struct Payment {
        var amount: Money
        var status: PaymentStatus
        var behaviour: Behaviour
        var chargeKeys: Set<String>
    }

    var payments: [String: Payment] = [:]
    /// booking → times money was taken / given back at the provider.
    var captures: [String: Int] = [:]
    var refunds: [String: Int] = [:]
    var violations: [String] = []

    /// Charge: the first call decides (by `behaviour`), repeats return the payment as it stands.
    mutating func charge(bookingId: String, key: String, amount: Money, deadline: Int64, now: Int64,
                         behaviour: Behaviour) -> PaymentStatus {
        if var payment = payments[bookingId] {
            if payment.amount != amount { violations.append("\(bookingId) charged again with a different amount") }
            payment.chargeKeys.insert(key)
            payments[bookingId] = payment
            return payment.status
        }
        let status: PaymentStatus
        if now >= deadline {
            status = .notCharged  // no provider call may start that cannot finish in time
        } else {
            switch behaviour {
            case .approve, .slowAnswerButCharge: status = .captured
            case .decline: status = .declined
            case .lateCharge, .lateNoCharge: status = .pending
            }
        }
        payments[bookingId] = Payment(amount: amount, status: status, behaviour: behaviour, chargeKeys: [key])
        if status == .captured { captures[bookingId, default: 0] += 1 }
        return status
    }

    /// The reconciler settles a pending payment as the provider says.
    mutating func resolve(bookingId: String) -> PaymentStatus? {
        guard var payment = payments[bookingId], payment.status == .pending else { return nil }
        payment.status = payment.behaviour == .lateCharge ? .captured : .notCharged
        if payment.status == .captured { captures[bookingId, default: 0] += 1 }
        payments[bookingId] = payment
        return payment.status
    }

    /// Refund: only a captured payment, once; repeats answer the same.
    mutating func refund(bookingId: String) -> Bool {
        guard var payment = payments[bookingId] else {
            violations.append("refund of \(bookingId) without a payment")
            return false
        }
        switch payment.status {
        case .refunded:
            return true
        case .captured:
            payment.status = .refunded
            payments[bookingId] = payment
            refunds[bookingId, default: 0] += 1
            return true
        case .pending, .declined, .notCharged:
            violations.append("refund of \(bookingId) whose payment is \(payment.status)")
            return false
        }
    }
}
