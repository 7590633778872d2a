/// What Redis (the inventory's hot store) says about each event, read once for the ``HistoryChecker``.
public struct HotStoreAudit: Sendable, Hashable, Codable {
    /// One event's Redis state.
    public struct Event: Sendable, Hashable, Codable {
        /// The event's id.
        public var eventID: Int64
        /// False when Redis does not have the event (lost and not rebuilt yet).
        public var loaded: Bool
        /// Seats whose status byte is `2` (sold).
        public var soldSeatIDs: [Int64]
        /// Seats whose status byte is `0` (available).
        public var availableSeatCount: Int
        /// The `avail` hash's `all` counter.
        public var availableCounter: Int
        /// `CODE:sold` of each pool.
        public var poolSold: [String: Int]
        /// Live holds (the expiry sorted set): id → deadline, milliseconds since 1970.
        public var liveHoldDeadlines: [String: Int64]
        /// Creates a value from its fields.
        public init(eventID: Int64, loaded: Bool, soldSeatIDs: [Int64] = [], availableSeatCount: Int = 0,
                    availableCounter: Int = 0, poolSold: [String: Int] = [:], liveHoldDeadlines: [String: Int64] = [:]) {
            self.eventID = eventID
            self.loaded = loaded
            self.soldSeatIDs = soldSeatIDs
            self.availableSeatCount = availableSeatCount
            self.availableCounter = availableCounter
            self.poolSold = poolSold
            self.liveHoldDeadlines = liveHoldDeadlines
        }
    }

    /// One entry per event.
    public var events: [Event]
    /// Redis's clock when read, milliseconds since 1970.
    public var readAtMilliseconds: Int64

    /// Creates a value from its fields.
    public init(events: [Event] = [], readAtMilliseconds: Int64 = 0) {
        self.events = events
        self.readAtMilliseconds = readAtMilliseconds
    }
}
