import BoxOfficePostgres
import Logging

/// Reads a ``DropAudit`` for one event from the inventory, booking and payment databases.
///
/// Owns one small connection pool per database; ``shutdown()`` closes them.
struct DropAuditReader: Sendable {
    let inventory: PostgresClient
    let booking: PostgresClient
    let payment: PostgresClient

    init(target: DropTarget, logger: Logger) {
        let options = PostgresPoolOptions(maximumConnections: 2, acquireTimeout: .seconds(30))
        inventory = PostgresClient(configuration: .init(url: target.inventoryDatabaseURL), options: options, logger: logger)
        booking = PostgresClient(configuration: .init(url: target.bookingDatabaseURL), options: options, logger: logger)
        payment = PostgresClient(configuration: .init(url: target.paymentDatabaseURL), options: options, logger: logger)
    }

    func shutdown() async {
        await inventory.shutdown()
        await booking.shutdown()
        await payment.shutdown()
    }

    /// Bookings of `event` whose saga has not ended, and payments of the event still PENDING.
    func unsettled(event: Int64) async throws -> (bookings: Int, pendingPayments: Int) {
        let open = try await booking.query(
            "SELECT id FROM bookings WHERE event_id = $1 AND NOT terminal", [event]).map { try $0.decode(String.self, column: 0) }
        let ids = try await booking.query("SELECT id FROM bookings WHERE event_id = $1", [event])
            .map { try $0.decode(String.self, column: 0) }
        let pending = try await payment.query(
            "SELECT count(*)::bigint FROM payments WHERE status = 'PENDING' AND booking_id = ANY($1::text[])", [ids])
        return (open.count, Int(try pending.first?.decode(Int64.self, column: 0) ?? 0))
    }

    /// Everything the report checks about `event`.
    func read(event: Int64) async throws -> DropAudit {
        var audit = DropAudit()
        let eventRows = try await inventory.query("SELECT seat_count FROM events WHERE id = $1", [event])
        audit.seatCount = Int(try eventRows.first?.decode(Int32.self, column: 0) ?? 0)
        audit.soldSeatRows = try await count(inventory, "SELECT count(*)::bigint FROM sold_seats WHERE event_id = $1", event)
        audit.seatsMarkedSold = try await count(
            inventory, "SELECT count(*)::bigint FROM seats WHERE event_id = $1 AND status = 'sold'", event)
        audit.seatsInSeveralSales = try await inventory.query("""
            SELECT seat_id FROM (
                SELECT unnest(h.seat_ids) AS seat_id FROM sales s JOIN holds h ON h.id = s.hold_id WHERE s.event_id = $1
            ) sold GROUP BY seat_id HAVING count(*) > 1 ORDER BY seat_id
            """, [event]).map { try $0.decode(Int64.self, column: 0) }
        audit.pools = try await inventory.query("""
            SELECT p.code, p.capacity, p.sold,
                   coalesce((SELECT sum(s.ga_quantity) FROM sales s WHERE s.event_id = p.event_id AND s.ga_pool_code = p.code), 0)::bigint
            FROM ga_pools p WHERE p.event_id = $1 ORDER BY p.code
            """, [event]).map { row in
            DropAudit.Pool(code: try row.decode(String.self, column: 0), capacity: Int(try row.decode(Int32.self, column: 1)),
                           soldCounter: Int(try row.decode(Int32.self, column: 2)), soldBySales: Int(try row.decode(Int64.self, column: 3)))
        }
        audit.sales = try await inventory.query("""
            SELECT s.order_reference, s.total_price_minor, (cardinality(h.seat_ids) + s.ga_quantity)::bigint
            FROM sales s JOIN holds h ON h.id = s.hold_id WHERE s.event_id = $1
            """, [event]).map { row in
            DropAudit.Sale(orderReference: try row.decode(String.self, column: 0), totalPriceMinor: try row.decode(Int64.self, column: 1),
                           units: Int(try row.decode(Int64.self, column: 2)))
        }
        for row in try await inventory.query(
            "SELECT status, count(*)::bigint FROM holds WHERE event_id = $1 GROUP BY status", [event]) {
            audit.holdsByStatus[try row.decode(String.self, column: 0)] = Int(try row.decode(Int64.self, column: 1))
        }
        audit.bookings = try await booking.query(
            "SELECT id, status, coalesce(amount_minor, 0)::bigint, terminal FROM bookings WHERE event_id = $1", [event]).map { row in
            DropAudit.Booking(id: try row.decode(String.self, column: 0), status: try row.decode(String?.self, column: 1),
                              amountMinor: try row.decode(Int64.self, column: 2), terminal: try row.decode(Bool.self, column: 3))
        }
        let bookingIDs = audit.bookings.map(\.id)
        audit.payments = try await payment.query(
            "SELECT booking_id, status, amount_minor, refunded_minor FROM payments WHERE booking_id = ANY($1::text[])",
            [bookingIDs]).map { row in
            DropAudit.Payment(bookingID: try row.decode(String.self, column: 0), status: try row.decode(String.self, column: 1),
                              amountMinor: try row.decode(Int64.self, column: 2), refundedMinor: try row.decode(Int64.self, column: 3))
        }
        let refunds = try await payment.query("""
            SELECT count(*)::bigint, coalesce(sum(r.amount_minor), 0)::bigint
            FROM payment_refunds r JOIN payments p ON p.id = r.payment_id WHERE p.booking_id = ANY($1::text[])
            """, [bookingIDs])
        audit.refundCount = Int(try refunds.first?.decode(Int64.self, column: 0) ?? 0)
        audit.refundRecordsMinor = try refunds.first?.decode(Int64.self, column: 1) ?? 0
        return audit
    }

    private func count(_ client: PostgresClient, _ sql: String, _ event: Int64) async throws -> Int {
        Int(try await client.query(sql, [event]).first?.decode(Int64.self, column: 0) ?? 0)
    }
}
