/// The payment service's view of a payment provider: the simulator's gRPC client implements it,
/// and so could an adapter for a real provider.
///
/// Implementations must be safe to call concurrently. Errors that leave open whether a charge
/// happened must surface as a timeout (the payment stays PENDING), never as a decline.
public protocol PaymentProvider: Sendable {
    /// CreateCharge with the call's idempotency key; throws when no answer came within `call.timeout`.
    func createCharge(_ call: ProviderChargeCall) async throws -> ProviderChargeResult
    /// GetCharge by idempotency key.
    func lookupCharge(idempotencyKey: String) async -> ProviderLookup
    /// CreateRefund; idempotent by the call's key.
    func createRefund(_ call: ProviderRefundCall) async throws -> ProviderRefund
}
