/// The state of a payment; maps 1:1 onto `boxoffice.payment.v1.PaymentStatus`.
///
/// Payments only move forward: PENDING → CAPTURED → REFUNDED, or PENDING → DECLINED / NOT_CHARGED.
public enum PaymentStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Recorded; the provider has not given a final answer yet. The booking's hold stays pinned.
    case pending = "PENDING"
    /// Charged; booking confirms the seats.
    case captured = "CAPTURED"
    /// The provider declined the card; booking releases the seats at once.
    case declined = "DECLINED"
    /// Resolved after a timeout or a processing failure: the card was never charged.
    case notCharged = "NOT_CHARGED"
    /// Captured, then refunded in full.
    case refunded = "REFUNDED"

    /// True for states no event can leave.
    public var isTerminal: Bool {
        switch self {
        case .pending, .captured: false
        case .declined, .notCharged, .refunded: true
        }
    }

    /// Whether booking must hear about reaching this state (every state but PENDING).
    var notifiesBooking: Bool { self != .pending }

    /// The failure state for a provider failure code: a card decline is DECLINED, anything else
    /// (processing errors, unknown codes) means the card was not charged.
    static func failure(forCode code: String) -> PaymentStatus {
        declineCodes.contains(code) ? .declined : .notCharged
    }

    /// Provider failure codes that mean the card issuer refused the charge.
    static let declineCodes: Set<String> = [
        "card_declined", "insufficient_funds", "expired_card", "incorrect_cvc", "do_not_honor",
        "lost_card", "stolen_card", "fraudulent", "generic_decline",
    ]
}
