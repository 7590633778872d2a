import Foundation
import Logging

extension PaymentProcessor {
    /// One reconciler round: raises overdue alerts and asks the provider about the PENDING
    /// payments whose look is due, at most `limit` of them.
    /// - Returns: the payments the round resolved (no longer PENDING).
    @discardableResult
    public func reconcile(limit: Int = 100) async throws -> [Payment] {
        let now = clock()
        var resolved: [Payment] = []
        for payment in try await store.paymentsToReconcile(at: now, policy: policy.reconciler, limit: limit) {
            // One payment that cannot be settled (a store error, a conflicting provider answer) must
            // not keep the others PENDING: log it and go on; it is looked at again next round.
            do {
                for action in ReconcilerSchedule.actions(for: payment, at: now, policy: policy.reconciler) {
                    switch action {
                    case .raiseOverdueAlert(let reason):
                        metrics.pendingOverdue(reason)
                        logger.error("a PENDING payment is overdue", metadata: [
                            "payment.id": "\(payment.id)", "booking.id": "\(payment.bookingID)", "reason": "\(reason)",
                            "payment.created_at": "\(payment.createdAt)", "payment.deadline": "\(payment.deadline)",
                            "payment.unresolved_checks": "\(payment.unresolvedChecks)"])
                        _ = try await apply(.overdueAlertRaised, toPayment: payment.id)
                    case .checkProvider(let key):
                        let lookup = await provider.lookupCharge(idempotencyKey: key)
                        metrics.reconcilerCheck(lookup)
                        let transition = try await apply(.providerChecked(lookup), toPayment: payment.id)
                        if transition.payment.status != .pending { resolved.append(transition.payment) }
                    }
                }
            } catch {
                logger.warning("reconciler could not settle a payment", metadata: [
                    "payment.id": "\(payment.id)", "booking.id": "\(payment.bookingID)", "error": "\(error)"])
            }
        }
        return resolved
    }
}
