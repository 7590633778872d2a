import BoxOfficeAPI
import BoxOfficeRPC
import Foundation

/// Measures, after a fault ends, how long until the cluster serves holds again.
public protocol RecoveryProbe: Sendable {
    /// Seconds from now until holds are served again after `fault` ended; nil when not within `limit`.
    func timeUntilHoldsServed(after fault: FaultKind, limit: Duration) async -> Double?
}

/// Waits until the services the fault hit answer health SERVING, then holds one general-admission unit
/// of a probe event of its own straight on inventory (and releases it), retrying every 100 ms: it
/// succeeds only when inventory, its hold store and PostgreSQL all answer.
///
/// The probe event is created once, with an ample pool, so the probe never competes with the crowd.
/// Its holds live 30 s at most and are released at once, so the audit sees them released or expired.
final class InventoryHoldProbe: RecoveryProbe {
    private let cluster: LocalCluster
    private let channel: GRPCChannel
    private let inventory: Boxoffice_Inventory_V1_InventoryService.Client
    private let eventID: Int64

    private init(cluster: LocalCluster, channel: GRPCChannel, inventory: Boxoffice_Inventory_V1_InventoryService.Client, eventID: Int64) {
        self.cluster = cluster
        self.channel = channel
        self.inventory = inventory
        self.eventID = eventID
    }

    /// Creates the probe event on `endpoint` (waiting for inventory to be ready, up to a minute).
    static func start(cluster: LocalCluster, inventory endpoint: ClientEndpoint) async throws -> InventoryHoldProbe {
        var configuration = GRPCChannel.Configuration()
        configuration.backoff = ConnectionBackoff(initial: .milliseconds(50), maximum: .milliseconds(500))
        let channel = GRPCChannel(endpoints: [endpoint], configuration: configuration)
        let inventory = Boxoffice_Inventory_V1_InventoryService.Client(wrapping: GRPCClient(channel: channel))
        do {
            var request = Boxoffice_Inventory_V1_CreateEventRequest()
            request.name = "chaos recovery probe"
            request.venue = "probe"
            let now = Date()
            request.startsAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(86_400))
            request.saleStartsAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-60))
            request.holdTtl = Google_Protobuf_Duration(.seconds(30))
            request.seatMap = VenuePlan(seatCount: 0, generalAdmissionCapacity: 100_000).seatMap
            request.idempotencyKey = "chaos-probe-\(UUID().uuidString)"
            let answer = try await inventory.createEvent(request, options: CallOptions(timeout: .seconds(60), waitForReady: true))
            guard let event = answer.event, event.id > 0 else { throw RPCError(code: .internal, message: "CreateEvent answered without an event") }
            return InventoryHoldProbe(cluster: cluster, channel: channel, inventory: inventory, eventID: event.id)
        } catch {
            await channel.close()
            throw error
        }
    }

    func timeUntilHoldsServed(after fault: FaultKind, limit: Duration) async -> Double? {
        let start = ContinuousClock.now
        let deadline = start + limit
        for service in Self.servicesHit(by: fault) {
            guard (try? await cluster.waitUntilServing(service, timeout: deadline - ContinuousClock.now)) != nil else { return nil }
        }
        while ContinuousClock.now < deadline, !Task.isCancelled {
            var request = Boxoffice_Inventory_V1_HoldSeatsRequest()
            request.eventID = eventID
            request.holderID = "chaos-probe"
            var unit = Boxoffice_Inventory_V1_GeneralAdmission()
            unit.poolCode = "GA"
            unit.quantity = 1
            request.generalAdmission = unit
            request.ttl = Google_Protobuf_Duration(.seconds(30))
            request.idempotencyKey = "probe-\(UUID().uuidString)"
            if let answer = try? await inventory.holdSeats(request, options: CallOptions(timeout: .seconds(1))), let hold = answer.hold {
                let elapsed = ContinuousClock.now - start
                var release = Boxoffice_Inventory_V1_ReleaseHoldRequest()
                release.holdID = hold.id
                release.holderID = "chaos-probe"
                release.reason = "chaos recovery probe"
                _ = try? await inventory.releaseHold(release, options: CallOptions(timeout: .seconds(2)))
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// The services a fault takes down or cuts off, whose health must come back.
    static func servicesHit(by fault: FaultKind) -> [ClusterService] {
        switch fault {
        case .kill(let service), .pause(let service): [service]
        case .postgresRestart: [.inventory, .booking, .payment]
        case .redisFlush, .redisRestart, .redisWipe: [.inventory, .booking]
        case .blackhole(let link), .packetLoss(let link): [link.callee]
        case .provider: []
        }
    }

    func close() async {
        await channel.close()
    }
}
