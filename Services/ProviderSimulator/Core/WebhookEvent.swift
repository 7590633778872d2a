public import Foundation

/// An event the simulator delivers to the payment service; maps 1:1 onto
/// `boxoffice.provider.v1.WebhookEvent`.
public struct WebhookEvent: Sendable, Hashable, Codable, Identifiable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case chargeSucceeded = "charge.succeeded"
        case chargeFailed = "charge.failed"
        case chargeRefunded = "charge.refunded"
    }

    /// The object the event is about: the `oneof data`.
    public enum Payload: Sendable, Hashable, Codable {
        case charge(Charge)
        case refund(Refund)
    }

    /// `evt_…`: receivers deduplicate by it.
    public var id: String
    /// What happened.
    public var kind: Kind
    /// When it was created.
    public var createdAt: Date
    /// Per-charge sequence: a later event of the same charge has a larger number (first is 1).
    public var sequence: Int64
    /// The object the event is about.
    public var payload: Payload

    /// Creates a value from its fields.
    public init(id: String, kind: Kind, createdAt: Date, sequence: Int64, payload: Payload) {
        self.id = id
        self.kind = kind
        self.createdAt = createdAt
        self.sequence = sequence
        self.payload = payload
    }

    /// The charge the event belongs to.
    public var chargeID: String {
        switch payload {
        case .charge(let charge): charge.id
        case .refund(let refund): refund.chargeID
        }
    }
}
