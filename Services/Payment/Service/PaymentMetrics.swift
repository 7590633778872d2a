import Metrics

/// The payment service's metrics (swift-metrics; the process exports them to Prometheus).
struct PaymentMetrics: Sendable {
    /// Payments that reached a status, by status.
    func statusReached(_ status: PaymentStatus) {
        Counter(label: "boxoffice_payment_status_total", dimensions: [("status", status.rawValue)]).increment()
    }

    /// Charge calls that got no answer in time (the payment stayed PENDING).
    func chargeUnanswered() {
        Counter(label: "boxoffice_payment_charge_unanswered_total").increment()
    }

    /// The alert: a PENDING payment outlived its bound. Alert on any increase.
    func pendingOverdue(_ reason: OverdueReason) {
        Counter(label: "boxoffice_payment_pending_overdue_total", dimensions: [("reason", "\(reason)")]).increment()
    }

    /// Reconciler checks, by what the provider said.
    func reconcilerCheck(_ lookup: ProviderLookup) {
        let answer = switch lookup {
        case .found: "found"
        case .processing: "processing"
        case .notFound: "not_found"
        case .unavailable: "unavailable"
        }
        Counter(label: "boxoffice_payment_reconciler_checks_total", dimensions: [("answer", answer)]).increment()
    }

    /// Webhook deliveries, by result (`applied`, `duplicate`, `rejected`).
    func webhook(_ result: String) {
        Counter(label: "boxoffice_payment_webhooks_total", dimensions: [("result", result)]).increment()
    }

    /// Charges made after their payment was settled, refunded by us. Alert on any increase.
    func orphanChargeRefunded() {
        Counter(label: "boxoffice_payment_orphan_refunds_total").increment()
    }

    /// Outcome deliveries to booking, by result (`acknowledged`, `failed`).
    func outcomeDelivery(_ result: String) {
        Counter(label: "boxoffice_payment_outcome_deliveries_total", dimensions: [("result", result)]).increment()
    }
}
