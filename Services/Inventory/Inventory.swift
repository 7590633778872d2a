public import Foundation
public import Logging
import Metrics

/// Inventory's operations beneath the gRPC layer: validate, then let the configured hold store
/// decide. One method per RPC of `boxoffice.inventory.v1.InventoryService`.
///
/// Thread-safe; share one per process. Every method throws ``InventoryError``.
public final class Inventory: Sendable {
    /// Events in PostgreSQL.
    public let catalog: EventCatalog
    /// The store that decides holds.
    public let store: any HoldStore
    /// The bounds on holds and pins.
    public let policy: HoldPolicy
    private let clock: @Sendable () -> Date
    private let logger: Logger

    /// Creates the inventory.
    ///
    /// - Parameter clock: The wall clock; tests pass a controllable one.
    public init(catalog: EventCatalog, store: any HoldStore, policy: HoldPolicy = .init(), logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.catalog = catalog
        self.store = store
        self.policy = policy
        self.logger = logger
        self.clock = clock
    }

    /// `CreateEvent`: creates an event from a seat map and readies the hold store for it.
    public func createEvent(_ draft: EventDraft) async throws(InventoryError) -> Event {
        let event = try await catalog.create(draft)
        try await store.prepare(event)
        return event
    }

    /// `GetEvent`.
    public func event(_ id: Int64) async throws(InventoryError) -> Event {
        try await catalog.event(id)
    }

    /// `GetAvailability`: counts, and seat-level status of `sectionCode` when given.
    public func availability(eventID: Int64, sectionCode: String? = nil) async throws(InventoryError) -> Availability {
        let event = try await catalog.event(eventID)
        let section = sectionCode.flatMap { $0.isEmpty ? nil : $0 }
        if let section, event.layout.sectionIndexes[section] == nil {
            throw .notFound("event \(eventID) has no section \"\(section.prefix(64))\"")
        }
        return try await store.availability(of: event, sectionCode: section)
    }

    /// `HoldSeats`: specific seats, best available, or GA units, all or nothing.
    public func holdSeats(_ request: HoldRequest) async throws(InventoryError) -> Hold {
        let event = try await catalog.event(request.eventID)
        let plan = try HoldRequestValidator(policy: policy).validate(request, for: event, now: clock())
        return try await store.hold(plan, in: event)
    }

    /// `ConfirmHold`: held → sold, only while the hold is the holder's and live (or pinned).
    public func confirmHold(holdID: String, holderID: String, orderReference: String)
        async throws(InventoryError) -> (hold: Hold, sale: Sale) {
        guard !orderReference.isEmpty, orderReference.utf8.count <= policy.maxIdentifierLength else {
            throw .invalidArgument("order_reference must be 1-\(policy.maxIdentifierLength) bytes")
        }
        let event = try await event(ofHold: holdID)
        return try await store.confirm(holdID: holdID, holderID: holderID, orderReference: orderReference, in: event,
                                       now: clock())
    }

    /// `ReleaseHold`: idempotent.
    public func releaseHold(holdID: String, holderID: String) async throws(InventoryError) -> Hold {
        let event = try await event(ofHold: holdID)
        return try await store.release(holdID: holdID, holderID: holderID, in: event, now: clock())
    }

    /// `PinHold`: keeps a live hold past its TTL for `pinFor`, within the policy's bounds.
    public func pinHold(holdID: String, holderID: String, pinFor: Duration) async throws(InventoryError) -> Hold {
        let event = try await event(ofHold: holdID)
        return try await store.pin(holdID: holdID, holderID: holderID, pinFor: pinFor, in: event, now: clock())
    }

    /// `GetHold`.
    public func hold(_ holdID: String) async throws(InventoryError) -> Hold {
        let event = try await event(ofHold: holdID)
        return try await store.hold(id: holdID, in: event)
    }

    /// `CheckConsistency`: differences between the hot store and PostgreSQL for one event.
    ///
    /// Reports them as a log warning per difference and as the gauge `inventory_hold_store_drift`
    /// (differences found by the last check, per event and store).
    public func checkConsistency(eventID: Int64) async throws(InventoryError) -> [Drift] {
        let event = try await catalog.event(eventID)
        let drifts = try await store.checkConsistency(of: event)
        Gauge(label: "inventory_hold_store_drift",
              dimensions: [("event", "\(eventID)"), ("store", store.kind.rawValue)]).record(drifts.count)
        for drift in drifts {
            logger.warning("hold store drift", metadata: [
                "inventory.event": "\(eventID)", "inventory.drift.subject": "\(drift.subject)",
                "inventory.drift.hot": "\(drift.hotStoreValue)", "inventory.drift.database": "\(drift.databaseValue)",
            ])
        }
        return drifts
    }

    /// One expiry sweep over every event: releases holds past their deadline (expired unless
    /// pinned). The service calls it every sweep interval (1 s by default).
    ///
    /// - Returns: The ids of the holds it expired.
    @discardableResult
    public func sweepExpiredHolds(limitPerEvent: Int = 500) async throws(InventoryError) -> [String] {
        let now = clock()
        var expired: [String] = []
        for id in try await catalog.eventIDs() {
            let event = try await catalog.event(id)
            while true {
                let batch = try await store.expireHolds(of: event, now: now, limit: limitPerEvent)
                expired += batch
                if batch.count < limitPerEvent { break }
            }
        }
        if !expired.isEmpty { logger.debug("expired holds", metadata: ["inventory.expired": "\(expired.count)"]) }
        return expired
    }

    /// Runs ``sweepExpiredHolds(limitPerEvent:)`` every `interval` until the task is cancelled;
    /// a failed sweep is logged and tried again at the next tick.
    public func runExpirySweeper(interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            do {
                try await sweepExpiredHolds()
            } catch {
                logger.warning("expiry sweep failed", metadata: ["inventory.error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    private func event(ofHold holdID: String) async throws(InventoryError) -> Event {
        guard let eventID = HoldIdentifier.eventID(of: holdID) else { throw .notFound("no hold \(holdID.prefix(64))") }
        do {
            return try await catalog.event(eventID)
        } catch let error where error.code == .notFound {
            throw .notFound("no hold \(holdID.prefix(64))")
        }
    }
}
