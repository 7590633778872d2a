import BoxOfficeBooking

/// Inventory as the saga sees it, kept honest: holds with a TTL, pins, confirm only while the hold is
/// live, release that never unsells, and idempotency keys that return the first answer.
struct SimulatedInventory {
    struct Hold {
        var id: String
        var bookingKey: String
        var seats: [Int]
        var expiresAt: Int64
        var pinnedUntil: Int64?
        var state: State
        enum State { case active, released, confirmed }

        /// Held now: not released or sold, and before its expiry or its pin.
        func isLive(at now: Int64) -> Bool {
            state == .active && now < max(expiresAt, pinnedUntil ?? expiresAt)
        }
    }

    let capacity: Int
    let holdTTL: Int64
    let maximumPin: Int64
    var holds: [String: Hold] = [:]
    var holdAnswers: [String: SagaEvent.HoldAnswer] = [:]
    var confirmAnswers: [String: SagaEvent.ConfirmAnswer] = [:]
    /// seat → booking that bought it.
    var soldSeats: [Int: String] = [:]
    /// booking → number of sales recorded for it.
    var salesPerBooking: [String: Int] = [:]
    var violations: [String] = []

    init(capacity: Int, holdTTL: Int64, maximumPin: Int64) {
        self.capacity = capacity
        self.holdTTL = holdTTL
        self.maximumPin = maximumPin
    }

    mutating func hold(key: String, quantity: Int, now: Int64) -> SagaEvent.HoldAnswer {
        if let answer = holdAnswers[key] { return answer }
        var taken = Set(soldSeats.keys)
        for hold in holds.values where hold.isLive(at: now) { taken.formUnion(hold.seats) }
        let free = (0..<capacity).filter { !taken.contains($0) }
        let answer: SagaEvent.HoldAnswer
        if free.count < quantity {
            answer = .refused(reason: "sold out")
        } else {
            let id = "hold-\(holds.count + 1)"
            let expiresAt = now + holdTTL
            holds[id] = Hold(id: id, bookingKey: key, seats: Array(free.prefix(quantity)), expiresAt: expiresAt,
                             pinnedUntil: nil, state: .active)
            answer = .granted(HoldGrant(holdId: id, expiresAt: SagaInstant(millisecondsSinceEpoch: expiresAt),
                                        amount: Money(amountMinor: 5_000 * Int64(quantity), currency: "USD")))
        }
        holdAnswers[key] = answer
        return answer
    }

    mutating func pin(holdId: String, pinFor: Int64, now: Int64) -> SagaEvent.PinAnswer {
        guard var hold = holds[holdId], hold.isLive(at: now) else { return .holdGone }
        let until = max(hold.pinnedUntil ?? 0, now + min(pinFor, maximumPin))
        hold.pinnedUntil = until
        holds[holdId] = hold
        return .pinned(until: SagaInstant(millisecondsSinceEpoch: until))
    }

    mutating func confirm(key: String, holdId: String, bookingId: String, now: Int64) -> SagaEvent.ConfirmAnswer {
        if let answer = confirmAnswers[key] { return answer }
        let answer: SagaEvent.ConfirmAnswer
        if var hold = holds[holdId], hold.isLive(at: now) {
            hold.state = .confirmed
            holds[holdId] = hold
            for seat in hold.seats {
                if let owner = soldSeats[seat] {
                    violations.append("seat \(seat) sold twice: to \(owner) and \(bookingId)")
                }
                soldSeats[seat] = bookingId
            }
            salesPerBooking[bookingId, default: 0] += 1
            answer = .confirmed
        } else {
            answer = .holdGone
        }
        confirmAnswers[key] = answer
        return answer
    }

    mutating func release(holdId: String) {
        guard var hold = holds[holdId], hold.state == .active else { return }  // a sale is never undone
        hold.state = .released
        holds[holdId] = hold
    }
}
