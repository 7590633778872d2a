import Foundation

/// The counters a live progress line shows while a drop runs.
public struct CrowdProgress: Sendable, Hashable {
    /// Shoppers started.
    public var started = 0
    /// Shoppers finished.
    public var finished = 0
    /// Shoppers admitted from the queue.
    public var admitted = 0
    /// Shoppers who got a hold.
    public var held = 0
    /// Shoppers who bought.
    public var confirmed = 0
    /// Calls finished.
    public var calls = 0
}

/// What the sell-out monitor last read from inventory.
public struct InventoryCounts: Sendable, Hashable, Codable {
    /// Units (seats plus GA) for sale.
    public var capacity = 0
    /// Units available now.
    public var available = 0
    /// Units held now (active or pinned).
    public var held = 0
    /// Units sold.
    public var sold = 0

    /// Creates counts.
    public init(capacity: Int = 0, available: Int = 0, held: Int = 0, sold: Int = 0) {
        self.capacity = capacity
        self.available = available
        self.held = held
        self.sold = sold
    }

    /// Nothing available and nothing held that could come back: no shopper can still buy.
    public var isSoldOut: Bool { capacity > 0 && available == 0 && held == 0 }
}

/// Renders the progress line: `12.3s  shoppers 4000/50000 done 1200  admitted 2100  held 1500  sold 3400/12000 (held 800)  rpc 950/s`.
public struct ProgressLine: Sendable {
    /// Shoppers in the drop.
    public var users: Int

    /// A line for `users` shoppers.
    public init(users: Int) {
        self.users = users
    }

    /// The line at `elapsed`, with `callsPerSecond` measured since the previous line.
    public func render(elapsed: Duration, crowd: CrowdProgress, inventory: InventoryCounts?, callsPerSecond: Double) -> String {
        var parts = [String(format: "%6.1fs", elapsed.seconds),
                     "shoppers \(crowd.started)/\(users) done \(crowd.finished)",
                     "admitted \(crowd.admitted)", "held \(crowd.held)", "bought \(crowd.confirmed)"]
        if let inventory {
            parts.append("sold \(inventory.sold)/\(inventory.capacity) (held \(inventory.held))")
        }
        parts.append(String(format: "rpc %.0f/s", callsPerSecond))
        return parts.joined(separator: "  ")
    }
}
