/// What the inventory database says about sales and live holds, read once for the ``HistoryChecker``.
public struct InventoryAudit: Sendable, Hashable, Codable {
    /// An event's capacity.
    public struct EventCapacity: Sendable, Hashable, Codable {
        /// The event's id.
        public var eventID: Int64
        /// Seats the event has.
        public var seatCount: Int
        /// Creates a value from its fields.
        public init(eventID: Int64, seatCount: Int) {
            self.eventID = eventID
            self.seatCount = seatCount
        }
    }

    /// A general-admission pool: its capacity, its `sold` counter and the units its sales add up to.
    public struct Pool: Sendable, Hashable, Codable {
        /// The event's id.
        public var eventID: Int64
        /// The pool's code.
        public var code: String
        /// Units the pool has.
        public var capacity: Int
        /// The pool's `sold` column.
        public var soldCounter: Int
        /// The units its sales add up to.
        public var soldBySales: Int
        /// Creates a value from its fields.
        public init(eventID: Int64, code: String, capacity: Int, soldCounter: Int, soldBySales: Int) {
            self.eventID = eventID
            self.code = code
            self.capacity = capacity
            self.soldCounter = soldCounter
            self.soldBySales = soldBySales
        }
    }

    /// A sale with the hold it confirmed.
    public struct Sale: Sendable, Hashable, Codable {
        /// The row's primary key.
        public var id: String
        /// The inventory hold.
        public var holdID: String
        /// The event's id.
        public var eventID: Int64
        /// The booking the sale was confirmed for.
        public var orderReference: String
        /// The seats of the confirmed hold (`holds.seat_ids`).
        public var heldSeatIDs: [Int64]
        /// The seats recorded for this sale in `sold_seats`.
        public var soldSeatIDs: [Int64]
        /// The GA pool, if any.
        public var gaPoolCode: String?
        /// GA units.
        public var gaQuantity: Int
        /// Creates a value from its fields.
        public init(id: String, holdID: String, eventID: Int64, orderReference: String, heldSeatIDs: [Int64],
                    soldSeatIDs: [Int64], gaPoolCode: String?, gaQuantity: Int) {
            self.id = id
            self.holdID = holdID
            self.eventID = eventID
            self.orderReference = orderReference
            self.heldSeatIDs = heldSeatIDs
            self.soldSeatIDs = soldSeatIDs
            self.gaPoolCode = gaPoolCode
            self.gaQuantity = gaQuantity
        }
    }

    /// A seat whose `seats.status` and `sold_seats` disagree.
    public struct SeatMismatch: Sendable, Hashable, Codable {
        /// The event's id.
        public var eventID: Int64
        /// The seat's id within its event.
        public var seatID: Int64
        /// The status as stored.
        public var status: String
        /// The sale (or hold) the seat points to, if any.
        public var saleID: String?
        /// Creates a value from its fields.
        public init(eventID: Int64, seatID: Int64, status: String, saleID: String?) {
            self.eventID = eventID
            self.seatID = seatID
            self.status = status
            self.saleID = saleID
        }
    }

    /// A hold still live in PostgreSQL (status active or pinned).
    public struct LiveHold: Sendable, Hashable, Codable {
        /// The row's primary key.
        public var id: String
        /// The event's id.
        public var eventID: Int64
        /// Who holds it (the user).
        public var holderID: String
        /// The status as stored.
        public var status: String
        /// Milliseconds since 1970.
        public var expiresAtMilliseconds: Int64
        /// Milliseconds since 1970, for a pinned hold.
        public var pinnedUntilMilliseconds: Int64?
        /// Creates a value from its fields.
        public init(id: String, eventID: Int64, holderID: String, status: String, expiresAtMilliseconds: Int64,
                    pinnedUntilMilliseconds: Int64?) {
            self.id = id
            self.eventID = eventID
            self.holderID = holderID
            self.status = status
            self.expiresAtMilliseconds = expiresAtMilliseconds
            self.pinnedUntilMilliseconds = pinnedUntilMilliseconds
        }

        /// When the hold must be gone by: the later of its expiry and its pin.
        public var deadlineMilliseconds: Int64 { max(expiresAtMilliseconds, pinnedUntilMilliseconds ?? 0) }
    }

    /// One entry per event.
    public var events: [EventCapacity]
    /// Every GA pool.
    public var pools: [Pool]
    /// Every sale.
    public var sales: [Sale]
    /// Seats marked sold without a `sold_seats` row, or with one but not marked sold.
    public var seatMismatches: [SeatMismatch]
    /// Seats still marked held whose `held_until` is past (milliseconds since 1970), by event and seat.
    public var expiredHeldSeats: [SeatMismatch]
    /// Holds still active or pinned.
    public var liveHolds: [LiveHold]
    /// The database's clock when read, milliseconds since 1970: staleness is judged against it.
    public var readAtMilliseconds: Int64

    /// Creates a value from its fields.
    public init(events: [EventCapacity] = [], pools: [Pool] = [], sales: [Sale] = [], seatMismatches: [SeatMismatch] = [],
                expiredHeldSeats: [SeatMismatch] = [], liveHolds: [LiveHold] = [], readAtMilliseconds: Int64 = 0) {
        self.events = events
        self.pools = pools
        self.sales = sales
        self.seatMismatches = seatMismatches
        self.expiredHeldSeats = expiredHeldSeats
        self.liveHolds = liveHolds
        self.readAtMilliseconds = readAtMilliseconds
    }
}
