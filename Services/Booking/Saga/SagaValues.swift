/// An amount of money in integer minor units, as `boxoffice.common.v1.Money`.
public struct Money: Hashable, Sendable, Codable {
    /// Amount in the currency's minor unit (cents for USD).
    public var amountMinor: Int64
    /// ISO 4217 alphabetic code, upper case.
    public var currency: String

    /// Creates an amount; no validation (the inventory's price is taken as given).
    public init(amountMinor: Int64, currency: String) {
        self.amountMinor = amountMinor
        self.currency = currency
    }
}

/// What the user asked to hold; one case per `oneof selection` of `HoldSeatsRequest`.
public enum SeatSelection: Hashable, Sendable, Codable {
    /// These seats, all or nothing.
    case specificSeats([Int64])
    /// The best `quantity` adjacent seats in a section (or any section of a tier).
    case bestAvailable(quantity: Int32, sectionCode: String, priceTier: String)
    /// `quantity` general-admission units of a pool.
    case generalAdmission(poolCode: String, quantity: Int32)
}

/// The hold inventory granted: its id, when it expires unless pinned, and its total price.
public struct HoldGrant: Hashable, Sendable, Codable {
    /// Inventory's hold id.
    public var holdId: String
    /// When the expiry sweeper may release the hold (unless it is pinned).
    public var expiresAt: SagaInstant
    /// What the held seats cost; the amount that will be charged.
    public var amount: Money

    /// Creates a hold grant from inventory's answer.
    public init(holdId: String, expiresAt: SagaInstant, amount: Money) {
        self.holdId = holdId
        self.expiresAt = expiresAt
        self.amount = amount
    }
}

/// The payment terms recorded when checkout starts, filled in as the saga pins and charges.
public struct CheckoutTerms: Hashable, Sendable, Codable {
    /// The provider token the user paid with; kept so a resumed saga repeats the same charge.
    public var paymentToken: String
    /// When checkout was requested.
    public var requestedAt: SagaInstant
    /// Until when inventory keeps the hold for the pending payment; set once the pin is answered.
    public var pinnedUntil: SagaInstant?
    /// The instant the charge must be decided by (inside the pinned window); set with `pinnedUntil`.
    public var paymentDeadline: SagaInstant?

    /// Creates checkout terms before the hold is pinned.
    public init(paymentToken: String, requestedAt: SagaInstant, pinnedUntil: SagaInstant? = nil,
                paymentDeadline: SagaInstant? = nil) {
        self.paymentToken = paymentToken
        self.requestedAt = requestedAt
        self.pinnedUntil = pinnedUntil
        self.paymentDeadline = paymentDeadline
    }
}

/// Why a saga releases its hold; decides the terminal status it ends in.
public enum ReleaseReason: String, Hashable, Sendable, Codable, CaseIterable {
    /// The user cancelled before payment → CANCELLED.
    case cancelled
    /// The hold ran out (or was lost) before a charge was sent → EXPIRED.
    case expired
    /// The charge was declined or never happened → PAYMENT_FAILED.
    case paymentFailed
}
