import BoxOfficeAPI
public import BoxOfficeRPC

/// Where a drop sends its calls and reads its audit from: a running cluster's booking and
/// inventory endpoints and its three service databases.
public struct DropTarget: Sendable, Hashable {
    /// The booking service (the crowd's front door).
    public var booking: ClientEndpoint
    /// The inventory service (event creation and the sell-out monitor).
    public var inventory: ClientEndpoint
    /// The inventory database URL (sales, holds).
    public var inventoryDatabaseURL: String
    /// The booking database URL (bookings).
    public var bookingDatabaseURL: String
    /// The payment database URL (payments, refunds).
    public var paymentDatabaseURL: String

    /// Creates a target.
    public init(booking: ClientEndpoint, inventory: ClientEndpoint, inventoryDatabaseURL: String, bookingDatabaseURL: String,
                paymentDatabaseURL: String) {
        self.booking = booking
        self.inventory = inventory
        self.inventoryDatabaseURL = inventoryDatabaseURL
        self.bookingDatabaseURL = bookingDatabaseURL
        self.paymentDatabaseURL = paymentDatabaseURL
    }
}

/// The gRPC channels and typed clients of one drop; ``close()`` them at the end.
struct DropClients: Sendable {
    let bookingChannel: GRPCChannel
    let inventoryChannel: GRPCChannel
    let booking: Boxoffice_Booking_V1_BookingService.Client
    let inventory: Boxoffice_Inventory_V1_InventoryService.Client

    /// Channels sized so `concurrency` shoppers, some holding a WatchQueue stream open, never wait
    /// for a stream slot (servers allow about 100 streams per connection).
    init(target: DropTarget, concurrency: Int) {
        var bookingConfiguration = GRPCChannel.Configuration()
        bookingConfiguration.connectionsPerEndpoint = min(64, max(2, concurrency / 50 + 1))
        bookingConfiguration.backoff = ConnectionBackoff(initial: .milliseconds(200), maximum: .seconds(2))
        var inventoryConfiguration = GRPCChannel.Configuration()
        inventoryConfiguration.backoff = bookingConfiguration.backoff
        bookingChannel = GRPCChannel(endpoints: [target.booking], configuration: bookingConfiguration)
        inventoryChannel = GRPCChannel(endpoints: [target.inventory], configuration: inventoryConfiguration)
        booking = .init(wrapping: GRPCClient(channel: bookingChannel))
        inventory = .init(wrapping: GRPCClient(channel: inventoryChannel))
    }

    func close() async {
        await bookingChannel.close()
        await inventoryChannel.close()
    }
}

extension Boxoffice_Booking_V1_BookingStatus {
    /// The proto name without its prefix: `CONFIRMED`, `PAYMENT_PENDING`, …
    var historyName: String {
        switch self {
        case .unspecified: "UNSPECIFIED"
        case .held: "HELD"
        case .paymentPending: "PAYMENT_PENDING"
        case .confirmed: "CONFIRMED"
        case .paymentFailed: "PAYMENT_FAILED"
        case .expired: "EXPIRED"
        case .cancelled: "CANCELLED"
        case .refunded: "REFUNDED"
        case .unrecognized(let value): "STATUS_\(value)"
        }
    }

    /// The status as a shopper reads it.
    var shopperState: ShopperJourney.BookingState {
        switch self {
        case .held: .held
        case .paymentPending: .paymentPending
        case .confirmed: .confirmed
        case .paymentFailed: .paymentFailed
        case .expired: .expired
        case .cancelled: .cancelled
        case .refunded: .refunded
        case .unspecified, .unrecognized: .unknown
        }
    }
}

extension Boxoffice_Booking_V1_PaymentOutcome {
    /// The proto name without its prefix: `CAPTURED`, `DECLINED`, …; nil when unspecified.
    var historyName: String? {
        switch self {
        case .unspecified: nil
        case .captured: "CAPTURED"
        case .declined: "DECLINED"
        case .notCharged: "NOT_CHARGED"
        case .refunded: "REFUNDED"
        case .unrecognized(let value): "OUTCOME_\(value)"
        }
    }
}

extension Boxoffice_Booking_V1_QueueState {
    /// The proto name without its prefix: `WAITING`, `ADMITTED`, `EXPIRED`.
    var historyName: String {
        switch self {
        case .unspecified: "UNSPECIFIED"
        case .waiting: "WAITING"
        case .admitted: "ADMITTED"
        case .expired: "EXPIRED"
        case .unrecognized(let value): "STATE_\(value)"
        }
    }
}

extension HistoryRecord {
    /// Fills in what a booking answer says.
    mutating func describe(_ booking: Boxoffice_Booking_V1_Booking?) {
        guard let booking else { return }
        if !booking.id.isEmpty { self.booking = booking.id }
        status = booking.status.historyName
        let seatIDs = booking.seats.map(\.seatID)
        seats = seatIDs.isEmpty ? nil : seatIDs
        ga = booking.gaQuantity > 0 ? Int(booking.gaQuantity) : nil
        amount = booking.amount?.amountMinor
        payment = booking.paymentOutcome.historyName
    }

    /// Fills in what a queue answer says.
    mutating func describe(_ status: Boxoffice_Booking_V1_QueueStatus) {
        self.status = status.state.historyName
    }
}
