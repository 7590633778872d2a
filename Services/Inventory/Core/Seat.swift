/// Where a seat stands (`SeatStatus`).
public enum SeatStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Free to hold.
    case available
    /// Held by a hold until it is confirmed, released or expires.
    case held
    /// Sold; never changes again.
    case sold
}

/// A reserved seat with its status (`Seat`).
public struct Seat: Sendable, Hashable, Codable {
    /// Id, unique within the event (see ``LayoutSeat/id``).
    public var id: Int64
    /// Section code.
    public var sectionCode: String
    /// Row label.
    public var row: String
    /// Number printed on the seat.
    public var number: Int
    /// Order in its row; adjacent seats differ by one.
    public var position: Int
    /// Effective tier.
    public var priceTier: String
    /// Current status.
    public var status: SeatStatus
    /// The hold that holds or bought it; `nil` while available.
    public var holdID: String?
    /// Optimistic-concurrency version (PostgreSQL store); bumped on every status change.
    public var version: Int64

    /// Creates a seat.
    public init(id: Int64, sectionCode: String, row: String, number: Int, position: Int, priceTier: String,
                status: SeatStatus, holdID: String? = nil, version: Int64 = 0) {
        self.id = id
        self.sectionCode = sectionCode
        self.row = row
        self.number = number
        self.position = position
        self.priceTier = priceTier
        self.status = status
        self.holdID = holdID
        self.version = version
    }

    /// A seat of `layout` with a status.
    public init(_ seat: LayoutSeat, status: SeatStatus, holdID: String? = nil, version: Int64 = 0) {
        self.init(id: seat.id, sectionCode: seat.sectionCode, row: seat.row, number: seat.number,
                  position: seat.position, priceTier: seat.priceTier, status: status, holdID: holdID, version: version)
    }
}
