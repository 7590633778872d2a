public import Foundation
public import Logging

/// Runs the payment operations — Charge, GetPayment, Refund, webhook intake and the reconciler's
/// round — against a ``PaymentStore`` and a ``PaymentProvider``.
///
/// The decisions are the pure Core types (``ChargeDecision``, ``Payment/apply(_:at:policy:)``,
/// ``WebhookIntakeDecision``, ``ReconcilerSchedule``); this type only reads, calls the provider
/// and commits. Every write goes through ``PaymentStore/commit(_:processedEventID:)`` with its
/// version check: on a conflict the payment is read again and the event applied to the newer
/// version, so concurrent answers, webhooks and reconciler checks (also from other instances)
/// compose. Safe to share between tasks.
public struct PaymentProcessor: Sendable {
    /// The store of payments, processed event ids and the outbox.
    public let store: any PaymentStore
    /// The payment provider.
    public let provider: any PaymentProvider
    /// The timing rules.
    public let policy: PaymentPolicy
    /// Checks webhook signatures.
    public let verifier: WebhookVerifier
    let logger: Logger
    let clock: @Sendable () -> Date
    private let makePaymentID: @Sendable () -> String
    let metrics = PaymentMetrics()

    /// Creates a processor. `clock` and `makePaymentID` are for tests; the defaults are the wall
    /// clock (to the microsecond, the store's precision) and `pay_<random hex>`.
    public init(
        store: any PaymentStore, provider: any PaymentProvider, policy: PaymentPolicy, verifier: WebhookVerifier,
        logger: Logger, clock: (@Sendable () -> Date)? = nil,
        makePaymentID: @escaping @Sendable () -> String = {
            "pay_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        }
    ) {
        self.store = store
        self.provider = provider
        self.policy = policy
        self.verifier = verifier
        self.logger = logger
        self.clock = clock ?? { Date().roundedToMicroseconds }
        self.makePaymentID = makePaymentID
    }

    // MARK: Charge

    /// Charges for a booking, idempotently by booking id.
    ///
    /// A new booking gets a PENDING payment, then one provider call whose deadline is the provider
    /// timeout, cut to `callBudget` when the caller has less time left; its answer makes the
    /// payment CAPTURED / DECLINED / NOT_CHARGED, no answer leaves it PENDING for the reconciler.
    /// A retry answers the stored payment.
    /// - Throws: ``PaymentError``: `aborted` while the booking's call is in flight,
    ///   `invalidArgument` for another amount, `deadlineExceeded` when the deadline leaves no room
    ///   for a provider call (nothing is recorded then); store errors as they are.
    public func charge(_ command: ChargeCommand, callBudget: Duration? = nil) async throws -> Payment {
        var command = command
        command.deadline = command.deadline.roundedToMicroseconds
        let now = clock()
        let existing = try await store.payment(.bookingID(command.bookingID))
        switch ChargeDecision(command, existing: existing, newPaymentID: makePaymentID(), at: now, policy: policy) {
        case .reject(let error):
            throw error
        case .answer(let payment):
            return payment
        case .callProvider(var payment, var call):
            if let callBudget, callBudget < call.timeout {
                call.timeout = max(callBudget, .zero)
                payment.providerCallDeadline = now.adding(call.timeout)
            }
            if let winner = try await store.insert(payment) {
                // A concurrent Charge for the booking inserted first: answer as a retry of it.
                switch ChargeDecision(command, existing: winner, newPaymentID: payment.id, at: now, policy: policy) {
                case .reject(let error): throw error
                case .answer(let payment): return payment
                case .callProvider: return winner
                }
            }
            let event: PaymentEvent
            do {
                event = .chargeAnswered(try await provider.createCharge(call))
            } catch {
                metrics.chargeUnanswered()
                logger.notice("charge call unanswered; the payment stays PENDING", metadata: [
                    "payment.id": "\(payment.id)", "booking.id": "\(payment.bookingID)", "error": "\(error)"])
                event = .chargeUnanswered
            }
            return try await apply(event, toPayment: payment.id).payment
        }
    }

    // MARK: GetPayment and Refund

    /// The payment found by `lookup`.
    /// - Throws: ``PaymentError`` `notFound`.
    public func payment(_ lookup: PaymentLookup) async throws -> Payment {
        if let payment = try await store.payment(lookup) { return payment }
        let what = switch lookup {
        case .paymentID(let id): "payment \(id)"
        case .bookingID(let id): "booking \(id)"
        case .providerChargeID(let id): "provider charge \(id)"
        }
        throw PaymentError(.notFound, "no payment for \(what)")
    }

    /// Refunds a captured payment (all that is left unless the command names an amount),
    /// idempotently by the command's key.
    /// - Throws: ``PaymentError`` from ``RefundDecision``; `unavailable` when the provider could
    ///   not make the refund (nothing changed; retry with the same key).
    public func refund(_ command: RefundCommand) async throws -> Payment {
        let payment = try await store.payment(.bookingID(command.bookingID))
        switch RefundDecision(command, payment: payment) {
        case .reject(let error):
            throw error
        case .answer(let payment):
            return payment
        case .callProvider(let call):
            let refund: ProviderRefund
            do {
                refund = try await provider.createRefund(call)
            } catch {
                throw PaymentError(.unavailable, "the provider did not refund booking \(command.bookingID): \(error); nothing changed, retry with the same key")
            }
            guard let payment else { throw PaymentError(.notFound, "no payment for booking \(command.bookingID)") }
            return try await apply(.refundAnswered(refund), toPayment: payment.id).payment
        }
    }

    // MARK: Applying events

    static let maxCommitAttempts = 8

    /// Applies `event` to the stored payment and commits; on a version conflict reads it again and
    /// re-applies. Makes the transition's orphan-charge refund first.
    @discardableResult
    func apply(_ event: PaymentEvent, toPayment id: String) async throws -> PaymentTransition {
        for _ in 0..<Self.maxCommitAttempts {
            guard let current = try await store.payment(.paymentID(id)) else {
                throw PaymentError(.notFound, "payment \(id) vanished")
            }
            let transition = current.apply(event, at: clock(), policy: policy)
            try await refundOrphanCharge(of: transition)
            if try await store.commit(transition, processedEventID: nil) {
                record(transition, cause: "\(event)")
                return transition
            }
        }
        throw PaymentError(.aborted, "payment \(id) changed under \(Self.maxCommitAttempts) attempts in a row; retry")
    }

    /// Refunds a charge the provider made after its payment was settled as not charged.
    func refundOrphanCharge(of transition: PaymentTransition) async throws {
        guard let call = transition.orphanChargeRefund else { return }
        let refund = try await provider.createRefund(call)
        metrics.orphanChargeRefunded()
        logger.error("refunded a charge made after its payment was settled", metadata: [
            "payment.id": "\(transition.payment.id)", "booking.id": "\(transition.payment.bookingID)",
            "payment.status": "\(transition.payment.status.rawValue)", "provider.charge_id": "\(call.chargeID)",
            "provider.refund_id": "\(refund.refundID)"])
    }

    func record(_ transition: PaymentTransition, cause: String) {
        switch transition.effect {
        case .advanced(let from, let to):
            metrics.statusReached(to)
            logger.info("payment status changed", metadata: [
                "payment.id": "\(transition.payment.id)", "booking.id": "\(transition.payment.bookingID)",
                "payment.from": "\(from.rawValue)", "payment.to": "\(to.rawValue)", "cause": "\(cause)"])
        case .contradicted(let status):
            logger.error("the provider contradicts a settled payment", metadata: [
                "payment.id": "\(transition.payment.id)", "booking.id": "\(transition.payment.bookingID)",
                "payment.status": "\(status.rawValue)", "cause": "\(cause)"])
        case .updated, .ignored:
            break
        }
    }
}
