public import Foundation

/// Where a hold stands (`HoldStatus`).
public enum HoldStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Held until ``Hold/expiresAt``.
    case active
    /// Kept past its TTL by a pending payment, until ``Hold/pinnedUntil``.
    case pinned
    /// Became a sale.
    case confirmed
    /// Released by its holder or by a failed payment.
    case released
    /// Released by the expiry sweeper.
    case expired

    /// Whether the hold still keeps its seats or units from others (active, pinned or sold).
    public var keepsInventory: Bool { self == .active || self == .pinned || self == .confirmed }
    /// Whether the hold has ended without a sale.
    public var isReleased: Bool { self == .released || self == .expired }
}

/// Seats or GA units kept for one holder for a while (`Hold`).
public struct Hold: Sendable, Hashable, Codable {
    /// Opaque id, unique across events.
    public var id: String
    /// The event.
    public var eventID: Int64
    /// Who holds.
    public var holderID: String
    /// Current status.
    public var status: HoldStatus
    /// Reserved seats held, in id order (empty for a GA hold).
    public var seats: [Seat]
    /// The GA pool, for a GA hold.
    public var gaPoolCode: String?
    /// Number of GA units (0 for a seat hold).
    public var gaQuantity: Int
    /// Price of everything held.
    public var totalPrice: Money
    /// When the hold was made.
    public var createdAt: Date
    /// When the hold lapses unless pinned.
    public var expiresAt: Date
    /// How long a pending payment keeps it, when pinned.
    public var pinnedUntil: Date?
    /// The order the sale belongs to, once confirmed.
    public var orderReference: String?

    /// Creates a hold.
    public init(id: String, eventID: Int64, holderID: String, status: HoldStatus, seats: [Seat] = [],
                gaPoolCode: String? = nil, gaQuantity: Int = 0, totalPrice: Money, createdAt: Date, expiresAt: Date,
                pinnedUntil: Date? = nil, orderReference: String? = nil) {
        self.id = id
        self.eventID = eventID
        self.holderID = holderID
        self.status = status
        self.seats = seats
        self.gaPoolCode = gaPoolCode
        self.gaQuantity = gaQuantity
        self.totalPrice = totalPrice
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.pinnedUntil = pinnedUntil
        self.orderReference = orderReference
    }

    /// Tickets the hold counts against the holder's cap: seats plus GA units.
    public var quantity: Int { seats.count + gaQuantity }

    /// The instant after which the sweeper may release it: the later of its expiry and its pin.
    public var deadline: Date { max(expiresAt, pinnedUntil ?? expiresAt) }
}

/// A confirmed hold (`Sale`).
public struct Sale: Sendable, Hashable, Codable {
    /// Sale id.
    public var id: String
    /// The hold it came from.
    public var holdID: String
    /// The event.
    public var eventID: Int64
    /// The buyer.
    public var holderID: String
    /// Seats sold.
    public var seatIDs: [Int64]
    /// GA pool, for a GA sale.
    public var gaPoolCode: String?
    /// GA units sold.
    public var gaQuantity: Int
    /// Total price.
    public var totalPrice: Money
    /// When it was recorded in PostgreSQL.
    public var soldAt: Date
    /// The booking it belongs to.
    public var orderReference: String

    /// Creates a sale.
    public init(id: String, holdID: String, eventID: Int64, holderID: String, seatIDs: [Int64], gaPoolCode: String?,
                gaQuantity: Int, totalPrice: Money, soldAt: Date, orderReference: String) {
        self.id = id
        self.holdID = holdID
        self.eventID = eventID
        self.holderID = holderID
        self.seatIDs = seatIDs
        self.gaPoolCode = gaPoolCode
        self.gaQuantity = gaQuantity
        self.totalPrice = totalPrice
        self.soldAt = soldAt
        self.orderReference = orderReference
    }
}
