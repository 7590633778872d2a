import BoxOfficePayment
import Synchronization

/// A ``PaymentProvider`` whose target is set after construction: the payment server must be
/// listening before the simulator (which sends it webhooks) can be built, and the processor needs
/// its provider before the payment server starts.
final class DeferredPaymentProvider: PaymentProvider {
    private let target = Mutex<(any PaymentProvider)?>(nil)

    init() {}

    func connect(_ provider: any PaymentProvider) {
        target.withLock { $0 = provider }
    }

    private var provider: any PaymentProvider {
        get throws {
            guard let provider = target.withLock({ $0 }) else { throw ProviderNotConnected() }
            return provider
        }
    }

    func createCharge(_ call: ProviderChargeCall) async throws -> ProviderChargeResult {
        try await provider.createCharge(call)
    }

    func lookupCharge(idempotencyKey: String) async -> ProviderLookup {
        guard let provider = try? provider else { return .unavailable }
        return await provider.lookupCharge(idempotencyKey: idempotencyKey)
    }

    func createRefund(_ call: ProviderRefundCall) async throws -> ProviderRefund {
        try await provider.createRefund(call)
    }

    private struct ProviderNotConnected: Error {}
}
