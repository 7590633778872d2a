public import Foundation

/// Which store decides holds (`HoldStoreKind`).
public enum HoldStoreKind: String, Sendable, Hashable, CaseIterable {
    /// Conditional, versioned UPDATEs in PostgreSQL; no Redis needed.
    case postgres
    /// Lua scripts in Redis decide; sales are written to PostgreSQL on confirm.
    case redis
}

/// Decides holds, confirms, releases, pins and expiry for events, atomically per event.
///
/// Both implementations record a sale in PostgreSQL only through a conditional update, so no seat
/// or GA unit can be sold twice whatever fails. Every method throws ``InventoryError``; a store
/// that cannot reach what it needs throws UNAVAILABLE and decides nothing.
public protocol HoldStore: Sendable {
    /// Which store this is.
    var kind: HoldStoreKind { get }

    /// Makes `event` ready for holds (loads it into Redis); called after creating an event and on start.
    func prepare(_ event: Event) async throws(InventoryError)

    /// Holds what `plan` asks for, all or nothing, enforcing the holder cap in the same atomic step.
    /// A retry with the same idempotency key returns the same hold.
    func hold(_ plan: HoldPlan, in event: Event) async throws(InventoryError) -> Hold

    /// Turns a live hold into a sale (idempotent for the same order reference).
    func confirm(holdID: String, holderID: String, orderReference: String, in event: Event, now: Date)
        async throws(InventoryError) -> (hold: Hold, sale: Sale)

    /// Releases a hold; releasing an ended hold succeeds without change.
    func release(holdID: String, holderID: String, in event: Event, now: Date) async throws(InventoryError) -> Hold

    /// Keeps a live hold past its TTL for `pinFor`, within the policy's bounds.
    func pin(holdID: String, holderID: String, pinFor: Duration, in event: Event, now: Date)
        async throws(InventoryError) -> Hold

    /// Reads one hold.
    func hold(id: String, in event: Event) async throws(InventoryError) -> Hold

    /// Counts per section, tier and pool, and seat-level status of `sectionCode` when given.
    func availability(of event: Event, sectionCode: String?) async throws(InventoryError) -> Availability

    /// Expires up to `limit` holds of `event` whose deadline passed; returns their ids.
    func expireHolds(of event: Event, now: Date, limit: Int) async throws(InventoryError) -> [String]

    /// Compares the hot store with PostgreSQL for `event` (empty for the PostgreSQL store).
    func checkConsistency(of event: Event) async throws(InventoryError) -> [Drift]
}

/// One difference between the hot store and PostgreSQL (`Drift`).
public struct Drift: Sendable, Hashable {
    /// What differs, e.g. `seat 17` or `pool PIT sold`.
    public var subject: String
    /// The hot store's value.
    public var hotStoreValue: String
    /// PostgreSQL's value.
    public var databaseValue: String

    /// Creates a drift.
    public init(subject: String, hotStoreValue: String, databaseValue: String) {
        self.subject = subject
        self.hotStoreValue = hotStoreValue
        self.databaseValue = databaseValue
    }
}
