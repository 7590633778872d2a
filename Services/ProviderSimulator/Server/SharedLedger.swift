import Foundation
import Synchronization

/// The simulator's ``ChargeLedger`` in one isolation domain, shared by the RPC handlers and the
/// webhook dispatcher, plus the set of deliveries being attempted right now.
///
/// Every access first completes the charges whose answer is due, so a charge whose caller went
/// away (its deadline passed) still finishes on time, whoever looks next. Every change wakes the
/// dispatcher.
final class SharedLedger: Sendable {
    private struct State: ~Copyable {
        var ledger: ChargeLedger
        var sending: Set<String> = []
    }

    /// What the dispatcher should do now.
    struct DispatchWork: Sendable {
        /// Deliveries claimed for an attempt; report each with ``finishAttempt(_:acknowledged:)``.
        var deliveries: [WebhookOutbox.Delivery]
        /// When to look again if nothing changes before; nil: only when signalled.
        var nextLook: Date?
    }

    private let state: Mutex<State>
    /// Signalled after every change that may create work for the dispatcher.
    let changes = WakeUpSignal()

    init(ledger: ChargeLedger) {
        state = Mutex(State(ledger: ledger))
    }

    /// The configuration the ledger was made with.
    var configuration: SimulatorConfiguration {
        state.withLock { $0.ledger.configuration }
    }

    func createCharge(_ request: CreateChargeRequest, callerDeadline: Date?) -> ChargeLedger.CreateChargeDecision {
        let decision = state.withLock { state in
            let now = Date()
            state.ledger.completeDueCharges(at: now)
            return state.ledger.createCharge(request, at: now, callerDeadline: callerDeadline)
        }
        changes.signal()
        return decision
    }

    /// Finishes a processing charge (idempotent); nil for an unknown id.
    func completeCharge(id: String) -> Charge? {
        let charge = state.withLock { state in
            let now = Date()
            state.ledger.completeDueCharges(at: now)
            return state.ledger.completeCharge(id: id, at: now)
        }
        changes.signal()
        return charge
    }

    func charge(_ lookup: ChargeLookup) throws(ProviderError) -> Charge {
        try state.withLock { (state) throws(ProviderError) -> Charge in
            state.ledger.completeDueCharges(at: Date())
            return try state.ledger.charge(lookup)
        }
    }

    func createRefund(_ request: CreateRefundRequest) throws(ProviderError) -> Refund {
        let refund = try state.withLock { (state) throws(ProviderError) -> Refund in
            let now = Date()
            state.ledger.completeDueCharges(at: now)
            return try state.ledger.createRefund(request, at: now)
        }
        changes.signal()
        return refund
    }

    /// A copy of the ledger (after completing what is due), for inspection.
    var snapshot: ChargeLedger {
        state.withLock { state in
            state.ledger.completeDueCharges(at: Date())
            return state.ledger
        }
    }

    /// Completes due charges and claims up to `limit` due deliveries that are not being attempted.
    func claimDueWork(limit: Int, deliver: Bool) -> DispatchWork {
        state.withLock { state in
            let now = Date()
            state.ledger.completeDueCharges(at: now)
            var claimed: [WebhookOutbox.Delivery] = []
            if deliver {
                let room = max(0, limit - state.sending.count)
                for delivery in state.ledger.webhooks.due(at: now) where claimed.count < room
                    && !state.sending.contains(delivery.id) {
                    claimed.append(delivery)
                    state.sending.insert(delivery.id)
                }
            }
            var dates = [state.ledger.nextAnswerDate]
            // With every slot busy, the next look comes when an attempt finishes (it signals).
            if deliver && state.sending.count < limit {
                dates.append(state.ledger.webhooks.nextDueDate(excluding: state.sending))
            }
            return DispatchWork(deliveries: claimed, nextLook: dates.compactMap { $0 }.min())
        }
    }

    /// Records the answer to a claimed delivery's attempt (acknowledged, or rescheduled with backoff).
    func finishAttempt(_ deliveryID: String, acknowledged: Bool) {
        state.withLock { state in
            state.sending.remove(deliveryID)
            state.ledger.recordDelivery(deliveryID, acknowledged: acknowledged, at: Date())
        }
        changes.signal()
    }
}
