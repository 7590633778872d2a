import BoxOfficeAPI
import BoxOfficeRPC
import Foundation
import Logging
import Metrics

/// `boxoffice.provider.v1.ProviderService` over the shared ledger: Stripe-like charges and refunds
/// whose behaviour the payment token chooses.
struct ProviderServiceHandler: Boxoffice_Provider_V1_ProviderService.SimpleServiceProtocol {
    let ledger: SharedLedger

    func createCharge(request: Boxoffice_Provider_V1_CreateChargeRequest,
                      context: ServerContext) async throws -> Boxoffice_Provider_V1_Charge {
        // The caller's deadline as wall time: the timeout tokens answer only after it.
        let callerDeadline = context.remainingTime.map { Date().addingTimeInterval($0.timeInterval) }
        switch ledger.createCharge(CreateChargeRequest(request), callerDeadline: callerDeadline) {
        case .reject(let error):
            Counter(label: "provider_sim_charges_total", dimensions: [("outcome", "rejected_\(error.code.rawValue)")]).increment()
            context.logger.debug("charge rejected", metadata: ["provider.error": "\(error)"])
            throw RPCError(error)
        case .answerNow(let charge):
            return Boxoffice_Provider_V1_Charge(charge)
        case .answerLater(let chargeID, let answerAt):
            // Cancelled when the caller gives up (its deadline): the charge still finishes at
            // `answerAt`, completed by the next look at the ledger.
            let wait = answerAt.timeIntervalSinceNow
            if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
            guard let charge = ledger.completeCharge(id: chargeID) else {
                throw RPCError(code: .internal, message: "charge \(chargeID) vanished from the ledger")
            }
            Counter(label: "provider_sim_charges_total", dimensions: [("outcome", charge.status.rawValue)]).increment()
            return Boxoffice_Provider_V1_Charge(charge)
        }
    }

    func getCharge(request: Boxoffice_Provider_V1_GetChargeRequest,
                   context: ServerContext) async throws -> Boxoffice_Provider_V1_Charge {
        let lookup = try ChargeLookup(request)
        do {
            return Boxoffice_Provider_V1_Charge(try ledger.charge(lookup))
        } catch {
            throw RPCError(error)
        }
    }

    func createRefund(request: Boxoffice_Provider_V1_CreateRefundRequest,
                      context: ServerContext) async throws -> Boxoffice_Provider_V1_Refund {
        do {
            let refund = try ledger.createRefund(CreateRefundRequest(request))
            Counter(label: "provider_sim_refunds_total").increment()
            return Boxoffice_Provider_V1_Refund(refund)
        } catch {
            throw RPCError(error)
        }
    }
}
