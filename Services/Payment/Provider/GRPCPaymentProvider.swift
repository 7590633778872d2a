public import BoxOfficeAPI
import BoxOfficeRPC

/// The ``PaymentProvider`` over the provider's gRPC API (`boxoffice.provider.v1.ProviderService`),
/// as the simulator serves it; a real provider's adapter would implement the same protocol.
///
/// A charge call's deadline is the earlier of its ``ProviderChargeCall/timeout`` and the remaining
/// budget of the RPC being served (``RPCDeadline/current``, which ``GRPCClient`` applies to every
/// call made while serving). Every failure of CreateCharge — timeout, outage, an answer without a
/// final status — is thrown, so the payment stays PENDING for the reconciler: none of them proves
/// that nothing was charged.
public struct GRPCPaymentProvider: PaymentProvider {
    private let client: Boxoffice_Provider_V1_ProviderService.Client
    /// The budget of one GetCharge (reconciler) call.
    public let lookupTimeout: Duration
    /// The budget of one CreateRefund call.
    public let refundTimeout: Duration

    /// An adapter calling the provider through `client`.
    public init(client: Boxoffice_Provider_V1_ProviderService.Client,
                lookupTimeout: Duration = .seconds(5), refundTimeout: Duration = .seconds(10)) {
        self.client = client
        self.lookupTimeout = lookupTimeout
        self.refundTimeout = refundTimeout
    }

    /// Implements the ``PaymentProvider`` requirement of the same name.
    public func createCharge(_ call: ProviderChargeCall) async throws -> ProviderChargeResult {
        var request = Boxoffice_Provider_V1_CreateChargeRequest()
        request.idempotencyKey = call.idempotencyKey
        request.amount = call.amount.amountMinor
        request.currency = call.amount.currency.code
        request.paymentToken = call.paymentToken
        request.metadata = call.metadata
        let charge = try await client.createCharge(request, options: CallOptions(timeout: call.timeout))
        guard let result = Self.result(of: charge) else {
            throw RPCError(code: .unknown, message: "the provider answered charge \(charge.id) without a final status")
        }
        return result
    }

    /// Implements the ``PaymentProvider`` requirement of the same name.
    public func lookupCharge(idempotencyKey: String) async -> ProviderLookup {
        var request = Boxoffice_Provider_V1_GetChargeRequest()
        request.lookup = .idempotencyKey(idempotencyKey)
        do {
            let charge = try await client.getCharge(request, options: CallOptions(timeout: lookupTimeout))
            return Self.result(of: charge).map(ProviderLookup.found) ?? .processing
        } catch let error as RPCError where error.code == .notFound {
            return .notFound
        } catch {
            return .unavailable
        }
    }

    /// Implements the ``PaymentProvider`` requirement of the same name.
    public func createRefund(_ call: ProviderRefundCall) async throws -> ProviderRefund {
        var request = Boxoffice_Provider_V1_CreateRefundRequest()
        request.chargeID = call.chargeID
        request.amount = call.amount
        request.idempotencyKey = call.idempotencyKey
        request.reason = call.reason
        let refund = try await client.createRefund(request, options: CallOptions(timeout: refundTimeout))
        guard refund.status != .failed else {
            throw RPCError(code: .unavailable, message: "the provider did not complete refund \(refund.id) of charge \(call.chargeID)")
        }
        return ProviderRefund(refundID: refund.id, chargeID: refund.chargeID, amount: refund.amount, reason: refund.reason,
                              idempotencyKey: call.idempotencyKey)
    }

    /// The final answer a provider charge carries; nil while it is still processing.
    static func result(of charge: Boxoffice_Provider_V1_Charge) -> ProviderChargeResult? {
        switch charge.status {
        case .succeeded:
            .succeeded(chargeID: charge.id)
        case .failed:
            .failed(chargeID: charge.id.isEmpty ? nil : charge.id, code: charge.failureCode, message: charge.failureMessage)
        case .unspecified, .unrecognized:
            nil
        }
    }
}
