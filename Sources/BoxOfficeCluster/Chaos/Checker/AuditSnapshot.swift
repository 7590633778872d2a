/// Everything the ``HistoryChecker`` judges: the client history and what each store says afterwards.
public struct AuditSnapshot: Sendable, Hashable, Codable {
    /// The client history.
    public var history: [ObservedCall]
    /// The inventory database.
    public var inventory: InventoryAudit
    /// The payment database.
    public var payment: PaymentAudit
    /// The booking database.
    public var booking: BookingAudit
    /// Nil when the inventory runs without Redis (the PostgreSQL hold store).
    public var hotStore: HotStoreAudit?

    /// Creates an empty value.
    public init(history: [ObservedCall] = [], inventory: InventoryAudit = .init(), payment: PaymentAudit = .init(),
                booking: BookingAudit = .init(), hotStore: HotStoreAudit? = nil) {
        self.history = history
        self.inventory = inventory
        self.payment = payment
        self.booking = booking
        self.hotStore = hotStore
    }
}
