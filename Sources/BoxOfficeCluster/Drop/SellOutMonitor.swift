import BoxOfficeAPI
import BoxOfficeRPC
import Synchronization

/// Reads the event's availability from inventory at an interval while the drop runs: feeds the
/// progress line, tells waiting shoppers when nothing is left, and notes when the last unit sold.
final class SellOutMonitor: Sendable {
    private struct State {
        var counts: InventoryCounts?
        var soldOutAt: Duration?
        var goneAt: Duration?
    }

    private let state = Mutex(State())
    private let eventID: Int64
    private let capacity: Int

    init(eventID: Int64, capacity: Int) {
        self.eventID = eventID
        self.capacity = capacity
    }

    /// The last counts read, nil before the first answer.
    var counts: InventoryCounts? { state.withLock { $0.counts } }
    /// Whether no shopper can still buy (nothing available, nothing held).
    var isSoldOut: Bool { state.withLock { $0.counts?.isSoldOut ?? false } }
    /// When every unit was first seen sold, as time since the drop started.
    var soldOutAt: Duration? { state.withLock { $0.soldOutAt } }
    /// When nothing was first seen available (every unit sold or held), as time since the drop started.
    var goneAt: Duration? { state.withLock { $0.goneAt } }

    /// Reads availability once and records it.
    func poll(clients: DropClients, recorder: DropRecorder, timeout: Duration) async {
        var request = Boxoffice_Inventory_V1_GetAvailabilityRequest()
        request.eventID = eventID
        let answer = try? await recorder.observe(.getAvailability, user: "drop", request: { $0.event = self.eventID }) {
            try await clients.inventory.getAvailability(request, options: CallOptions(timeout: timeout))
        }
        guard let answer else { return }
        update(Self.counts(of: answer, capacity: capacity), at: recorder.elapsed)
    }

    /// Records counts read at `elapsed`.
    func update(_ counts: InventoryCounts, at elapsed: Duration) {
        state.withLock { state in
            state.counts = counts
            if state.soldOutAt == nil, counts.capacity > 0, counts.sold >= counts.capacity { state.soldOutAt = elapsed }
            if state.goneAt == nil, counts.capacity > 0, counts.available == 0 { state.goneAt = elapsed }
        }
    }

    /// Sums sections and pools (tiers repeat the sections, so they are not added).
    static func counts(of answer: Boxoffice_Inventory_V1_GetAvailabilityResponse, capacity: Int) -> InventoryCounts {
        var counts = InventoryCounts(capacity: capacity)
        for section in answer.sections {
            counts.available += Int(section.available)
            counts.held += Int(section.held)
            counts.sold += Int(section.sold)
        }
        for pool in answer.pools {
            counts.available += Int(pool.available)
            counts.held += Int(pool.held)
            counts.sold += Int(pool.sold)
        }
        return counts
    }
}
