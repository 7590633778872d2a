import BoxOfficePostgres
import BoxOfficeRedis
public import Logging

/// Reads an ``AuditSnapshot`` from the three service databases and Redis: plain SELECTs, no writes.
///
/// Each store is read in its own short-lived client, closed before returning. The stores are read one
/// after the other, so call it once the system has converged (nothing moving), as the checker needs.
public struct AuditReader: Sendable {
    /// Where to read.
    public var sources: AuditSources
    /// How time-based promises are judged.
    public var policy: CheckPolicy
    private let logger: Logger

    /// Creates an empty value.
    public init(sources: AuditSources, policy: CheckPolicy = CheckPolicy(), logger: Logger = Logger(label: "boxoffice.chaos.audit")) {
        self.sources = sources
        self.policy = policy
        self.logger = logger
    }

    /// Reads everything, with `history` as the client history.
    /// - Throws: the first database or Redis error, naming the store.
    public func read(history: [ObservedCall]) async throws -> AuditSnapshot {
        let inventory = try await withClient(sources.inventoryDatabaseURL, "inventory") { try await Self.readInventory($0, policy: policy) }
        let payment = try await withClient(sources.paymentDatabaseURL, "payment") { try await Self.readPayment($0) }
        let booking = try await withClient(sources.bookingDatabaseURL, "booking") { try await Self.readBooking($0) }
        var hotStore: HotStoreAudit?
        if policy.checksHotStore, let redisURL = sources.redisURL {
            hotStore = try await HotStoreReader(url: redisURL, prefix: sources.redisPrefix, logger: logger)
                .read(eventIDs: inventory.events.map(\.eventID))
        }
        return AuditSnapshot(history: history, inventory: inventory, payment: payment, booking: booking, hotStore: hotStore)
    }

    private func withClient<T: Sendable>(_ url: String, _ store: String, _ body: (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: PostgresConfiguration(url: url),
                                    options: PostgresPoolOptions(maximumConnections: 1), logger: logger)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw AuditReadError(message: "reading the \(store) database failed: \(error)")
        }
    }

    /// `timestamptz` as milliseconds since 1970.
    private static func milliseconds(_ column: String) -> String { "(extract(epoch FROM \(column)) * 1000)::int8" }

    static func readInventory(_ client: PostgresClient, policy: CheckPolicy) async throws -> InventoryAudit {
        var audit = InventoryAudit()
        audit.readAtMilliseconds = try await client.query("SELECT \(milliseconds("now()"))").first?.decode(Int64.self, column: 0) ?? 0
        for row in try await client.query("SELECT id, seat_count FROM events ORDER BY id") {
            let (id, seats) = try row.decode((Int64, Int).self)
            audit.events.append(.init(eventID: id, seatCount: seats))
        }
        for row in try await client.query("""
            SELECT p.event_id, p.code, p.capacity, p.sold,
                   COALESCE((SELECT sum(s.ga_quantity) FROM sales s WHERE s.event_id = p.event_id AND s.ga_pool_code = p.code), 0)::int8
            FROM ga_pools p ORDER BY p.event_id, p.code
            """) {
            let (event, code, capacity, sold, bySales) = try row.decode((Int64, String, Int, Int, Int).self)
            audit.pools.append(.init(eventID: event, code: code, capacity: capacity, soldCounter: sold, soldBySales: bySales))
        }
        for row in try await client.query("""
            SELECT s.id, s.hold_id, s.event_id, s.order_reference, COALESCE(h.seat_ids, '{}'::int8[]),
                   ARRAY(SELECT ss.seat_id FROM sold_seats ss WHERE ss.sale_id = s.id ORDER BY ss.seat_id),
                   s.ga_pool_code, s.ga_quantity
            FROM sales s LEFT JOIN holds h ON h.id = s.hold_id ORDER BY s.id
            """) {
            let (id, hold, event, order, held, sold, pool, quantity) = try row.decode((String, String, Int64, String, [Int64], [Int64], String?, Int).self)
            audit.sales.append(.init(id: id, holdID: hold, eventID: event, orderReference: order, heldSeatIDs: held,
                                     soldSeatIDs: sold, gaPoolCode: pool, gaQuantity: quantity))
        }
        for row in try await client.query("""
            SELECT s.event_id, s.id, s.status, ss.sale_id FROM seats s
            LEFT JOIN sold_seats ss ON ss.event_id = s.event_id AND ss.seat_id = s.id
            WHERE (s.status = 'sold') <> (ss.sale_id IS NOT NULL) ORDER BY s.event_id, s.id LIMIT 1000
            """) {
            let (event, seat, status, sale) = try row.decode((Int64, Int64, String, String?).self)
            audit.seatMismatches.append(.init(eventID: event, seatID: seat, status: status, saleID: sale))
        }
        for row in try await client.query("""
            SELECT event_id, id, status, hold_id FROM seats
            WHERE status = 'held' AND held_until < now() - $1::int8 * interval '1 millisecond' ORDER BY event_id, id LIMIT 1000
            """, [policy.staleAfterMilliseconds]) {
            let (event, seat, status, hold) = try row.decode((Int64, Int64, String, String?).self)
            audit.expiredHeldSeats.append(.init(eventID: event, seatID: seat, status: status, saleID: hold))
        }
        for row in try await client.query("""
            SELECT id, event_id, holder_id, status, \(milliseconds("expires_at")), \(milliseconds("pinned_until"))
            FROM holds WHERE status IN ('active', 'pinned') ORDER BY id
            """) {
            let (id, event, holder, status, expires, pinned) = try row.decode((String, Int64, String, String, Int64, Int64?).self)
            audit.liveHolds.append(.init(id: id, eventID: event, holderID: holder, status: status,
                                         expiresAtMilliseconds: expires, pinnedUntilMilliseconds: pinned))
        }
        return audit
    }

    static func readPayment(_ client: PostgresClient) async throws -> PaymentAudit {
        var audit = PaymentAudit()
        for row in try await client.query(
            "SELECT id, booking_id, status, amount_minor, refunded_minor, provider_charge_id FROM payments ORDER BY id") {
            let (id, booking, status, amount, refunded, charge) = try row.decode((String, String, String, Int64, Int64, String?).self)
            audit.payments.append(.init(id: id, bookingID: booking, status: status, amountMinor: amount, refundedMinor: refunded,
                                        providerChargeID: charge))
        }
        for row in try await client.query(
            "SELECT id, booking_id, failed_attempts FROM outcome_outbox WHERE acknowledged_at IS NULL ORDER BY id") {
            let (id, booking, attempts) = try row.decode((String, String, Int).self)
            audit.undeliveredOutcomes.append(.init(id: id, bookingID: booking, failedAttempts: attempts))
        }
        return audit
    }

    static func readBooking(_ client: PostgresClient) async throws -> BookingAudit {
        var audit = BookingAudit()
        for row in try await client.query("""
            SELECT b.id, b.user_id, b.event_id, b.step, b.terminal, b.hold_id, NULLIF(b.payment_id, ''),
                   ARRAY(SELECT (e->>'seatId')::int8 FROM jsonb_array_elements(b.seats) e),
                   (SELECT r.key FROM idempotency_records r WHERE r.booking_id = b.id AND r.operation = 'hold' LIMIT 1)
            FROM bookings b ORDER BY b.id
            """) {
            let (id, user, event, step, terminal, hold, payment, seats, key) =
                try row.decode((String, String, Int64, String, Bool, String?, String?, [Int64], String?).self)
            audit.bookings.append(.init(id: id, userID: user, eventID: event, step: step,
                                        isTerminal: terminal,
                                        holdID: hold, paymentID: payment, seatIDs: seats, holdIdempotencyKey: key))
        }
        return audit
    }
}

/// A store could not be read for the audit.
public struct AuditReadError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the store.
    public var message: String
    public var description: String { message }
}
