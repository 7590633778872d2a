public import BoxOfficeAPI
public import BoxOfficeRPC

/// The services the saga calls: inventory (holds) and payment (charges).
public struct BookingPeers: Sendable {
    /// Inventory's client.
    public var inventory: Boxoffice_Inventory_V1_InventoryService.Client
    /// Payment's client.
    public var payment: Boxoffice_Payment_V1_PaymentService.Client

    /// Creates peers from clients.
    public init(inventory: Boxoffice_Inventory_V1_InventoryService.Client,
                payment: Boxoffice_Payment_V1_PaymentService.Client) {
        self.inventory = inventory
        self.payment = payment
    }

    /// Peers over channels to the two endpoints. The channels connect lazily and reconnect with
    /// backoff; close them (``channels``) at shutdown.
    public static func dialling(inventory: ClientEndpoint, payment: ClientEndpoint) -> (peers: BookingPeers, channels: [GRPCChannel]) {
        let inventoryChannel = GRPCChannel(endpoints: [inventory])
        let paymentChannel = GRPCChannel(endpoints: [payment])
        let peers = BookingPeers(
            inventory: .init(wrapping: GRPCClient(channel: inventoryChannel)),
            payment: .init(wrapping: GRPCClient(channel: paymentChannel)))
        return (peers, [inventoryChannel, paymentChannel])
    }
}
