public import Foundation

/// The rules that move a hold between states, as pure decisions both hold stores follow.
///
/// Each function looks at a hold and a command at an instant and either returns what the store
/// must do or throws the refusal; stores apply the decision atomically (a conditional UPDATE or
/// a Lua script) so a concurrent change cannot slip in between.
public enum HoldLifecycle {
    /// What a confirm must do.
    public enum ConfirmDecision: Sendable, Hashable {
        /// Record the sale.
        case sell
        /// Already sold for this order: answer with the existing sale (idempotent retry).
        case alreadyConfirmed
    }

    /// What a release must do.
    public enum ReleaseDecision: Sendable, Hashable {
        /// Free the seats or units.
        case release
        /// Already released or expired: answer with the hold as it is (idempotent).
        case alreadyEnded
    }

    /// Whether `hold` still keeps its inventory at `now` without a sale: active before its expiry,
    /// or pinned before its pin ends. Expired unless pinned.
    public static func isLive(_ hold: Hold, at now: Date) -> Bool {
        switch hold.status {
        case .active, .pinned: now < hold.deadline
        case .confirmed, .released, .expired: false
        }
    }

    /// Whether the sweeper must release `hold` at `now`.
    public static func shouldExpire(_ hold: Hold, at now: Date) -> Bool {
        (hold.status == .active || hold.status == .pinned) && now >= hold.deadline
    }

    /// Decides a confirm by `holderID` for `orderReference`.
    ///
    /// - Throws: FAILED_PRECONDITION for another holder, a released or expired hold, or a hold
    ///   already confirmed for another order.
    public static func confirm(_ hold: Hold, holderID: String, orderReference: String, at now: Date)
        throws(InventoryError) -> ConfirmDecision {
        try checkHolder(hold, holderID)
        switch hold.status {
        case .confirmed:
            guard hold.orderReference == orderReference else {
                throw .failedPrecondition("hold \(hold.id) is already confirmed for another order")
            }
            return .alreadyConfirmed
        case .released: throw .failedPrecondition("hold \(hold.id) was released; make a new hold")
        case .expired: throw .failedPrecondition("hold \(hold.id) expired; make a new hold")
        case .active, .pinned:
            guard now < hold.deadline else {
                throw .failedPrecondition(
                    "hold \(hold.id) expired at \(hold.deadline.formatted(.iso8601)); make a new hold")
            }
            return .sell
        }
    }

    /// Decides a release by `holderID`; releasing an ended hold succeeds without change.
    ///
    /// - Throws: FAILED_PRECONDITION for another holder or a confirmed hold.
    public static func release(_ hold: Hold, holderID: String) throws(InventoryError) -> ReleaseDecision {
        try checkHolder(hold, holderID)
        switch hold.status {
        case .confirmed: throw .failedPrecondition("hold \(hold.id) is confirmed; sold seats are not released")
        case .released, .expired: return .alreadyEnded
        case .active, .pinned: return .release
        }
    }

    /// Decides a pin by `holderID` for `pinFor` past `now`.
    ///
    /// - Returns: The new ``Hold/pinnedUntil``: `now + pinFor`, never earlier than an existing pin,
    ///   never later than the hold's creation plus ``HoldPolicy/maxHoldLifetime``.
    /// - Throws: INVALID_ARGUMENT for `pinFor` outside `(0, maxPin]`; FAILED_PRECONDITION for
    ///   another holder, an ended or expired hold, or a hold already at its lifetime bound.
    public static func pin(_ hold: Hold, holderID: String, pinFor: Duration, at now: Date, policy: HoldPolicy)
        throws(InventoryError) -> Date {
        guard pinFor > .zero, pinFor <= policy.maxPin else {
            throw .invalidArgument("pin_for \(pinFor) is outside (0s, \(policy.maxPin)]")
        }
        try checkHolder(hold, holderID)
        guard hold.status == .active || hold.status == .pinned else {
            throw .failedPrecondition("hold \(hold.id) is \(hold.status.rawValue); only a live hold can be pinned")
        }
        guard now < hold.deadline else {
            throw .failedPrecondition("hold \(hold.id) expired at \(hold.deadline.formatted(.iso8601)); it cannot be pinned")
        }
        let bound = hold.createdAt.adding(policy.maxHoldLifetime)
        let wanted = max(now.adding(pinFor), hold.pinnedUntil ?? now)
        let until = min(wanted, bound)
        guard until > now else {
            throw .failedPrecondition("hold \(hold.id) has been kept for its longest lifetime (\(policy.maxHoldLifetime))")
        }
        return until
    }

    private static func checkHolder(_ hold: Hold, _ holderID: String) throws(InventoryError) {
        guard hold.holderID == holderID else {
            throw .failedPrecondition("hold \(hold.id) belongs to another holder")
        }
    }
}
