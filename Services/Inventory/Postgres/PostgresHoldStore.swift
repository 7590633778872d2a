public import Foundation
public import BoxOfficePostgres
public import Logging

/// The hold store that needs only PostgreSQL: every decision is a conditional, versioned UPDATE
/// (`… WHERE status = 'available'`) whose affected-row count decides, in one READ COMMITTED
/// transaction per operation.
///
/// The per-holder cap is enforced under a lock on the holder's `holder_tickets` row (the parent
/// row, `SELECT … FOR UPDATE`), so two holds of one holder cannot both pass the cap and a
/// concurrent release cannot change the count between the check and the hold. Multi-seat holds
/// are all or nothing: a short count rolls the transaction back.
/// Deadlocks between overlapping multi-seat holds (40P01) are retried by the client.
public final class PostgresHoldStore: HoldStore {
    public let kind = HoldStoreKind.postgres
    private let client: PostgresClient
    private let policy: HoldPolicy
    private let logger: Logger

    /// Creates a store on `client`.
    public init(client: PostgresClient, policy: HoldPolicy = .init(), logger: Logger) {
        self.client = client
        self.policy = policy
        self.logger = logger
    }

    public func prepare(_ event: Event) async throws(InventoryError) {}

    public func hold(_ plan: HoldPlan, in event: Event) async throws(InventoryError) -> Hold {
        let request = plan.request
        let key: String? = request.idempotencyKey.isEmpty ? nil : request.idempotencyKey
        if let key, let existing = try await existingHold(event: event, holderID: request.holderID, key: key) {
            return existing
        }
        if case .generalAdmission(let pool, let quantity) = plan.target {
            try await refuseIfSoldOut(pool: pool.code, quantity: quantity, event: event)
        }
        let holdID = HoldIdentifier.make(eventID: event.id)
        do {
            return try await client.transaction { transaction in
                try await Self.take(plan, holdID: holdID, key: key, event: event, in: transaction)
            }
        } catch let error as PostgresError where error.isUniqueViolation && key != nil {
            // A concurrent retry with the same key won: answer with its hold.
            if let key, let existing = try await existingHold(event: event, holderID: request.holderID, key: key) {
                return existing
            }
            throw .from(error, doing: "holding seats")
        } catch {
            throw .from(error, doing: "holding seats")
        }
    }

    /// Answers "sold out" from one lock-free read before the hold transaction takes the holder's
    /// row lock, so a crowd on a sold-out pool costs one indexed SELECT each. It only ever refuses:
    /// the conditional UPDATE still decides every hold it lets through, and a unit freed just
    /// after the read is simply not seen, as if the request had come a moment earlier.
    private func refuseIfSoldOut(pool: String, quantity: Int, event: Event) async throws(InventoryError) {
        let free: Int
        do {
            let rows = try await client.query(
                "SELECT capacity - held - sold FROM ga_pools WHERE event_id = $1 AND code = $2", [event.id, pool])
            free = Int(try rows.first?.decode(Int32.self, column: 0) ?? 0)
        } catch {
            throw .from(error, doing: "reading pool \(pool)")
        }
        if free < quantity { throw .resourceExhausted("only \(free) units left in pool \(pool)") }
    }

    public func confirm(holdID: String, holderID: String, orderReference: String, in event: Event, now: Date)
        async throws(InventoryError) -> (hold: Hold, sale: Sale) {
        do {
            return try await client.transaction { transaction in
                _ = try await transaction.execute("SET LOCAL synchronous_commit = on")
                var hold = try await Self.lockedHold(holdID, event: event, in: transaction)
                switch try HoldLifecycle.confirm(hold, holderID: holderID, orderReference: orderReference, at: now) {
                case .alreadyConfirmed:
                    guard let sale = try await HoldRows.sale(of: hold, in: transaction.query) else {
                        throw InventoryError.internalError("hold \(holdID) is confirmed without a sale")
                    }
                    return (hold, sale)
                case .sell:
                    let seatIDs = hold.seats.map(\.id)
                    if !seatIDs.isEmpty {
                        let sold = try await transaction.execute("""
                            UPDATE seats SET status = 'sold', held_until = NULL, version = version + 1
                            WHERE event_id = $1 AND hold_id = $2 AND status = 'held'
                            """, [event.id, holdID])
                        guard sold == seatIDs.count else {
                            throw InventoryError.internalError("hold \(holdID) holds \(sold) of its \(seatIDs.count) seats")
                        }
                    }
                    let saleID = HoldIdentifier.makeSale()
                    let soldAt = try await transaction.query("""
                        INSERT INTO sales (id, hold_id, event_id, holder_id, ga_pool_code, ga_quantity, total_price_minor,
                                           currency, order_reference)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING \(SQLTime.milliseconds("sold_at"))
                        """, [saleID, holdID, event.id, hold.holderID, hold.gaPoolCode, hold.gaQuantity,
                              hold.totalPrice.amountMinor, hold.totalPrice.currency, orderReference])[0]
                        .decode(Int64.self, column: 0)
                    if !seatIDs.isEmpty {
                        _ = try await transaction.execute(
                            "INSERT INTO sold_seats (event_id, seat_id, sale_id) SELECT $1, unnest($2::int8[]), $3",
                            [event.id, seatIDs, saleID])
                    }
                    if let pool = hold.gaPoolCode {
                        let moved = try await transaction.execute("""
                            UPDATE ga_pools SET held = held - $3, sold = sold + $3, version = version + 1
                            WHERE event_id = $1 AND code = $2 AND held >= $3
                            """, [event.id, pool, hold.gaQuantity])
                        guard moved == 1 else { throw InventoryError.internalError("pool \(pool) lost the units of \(holdID)") }
                    }
                    _ = try await transaction.execute("""
                        UPDATE holder_tickets SET held = held - $3, sold = sold + $3 WHERE event_id = $1 AND holder_id = $2
                        """, [event.id, hold.holderID, hold.quantity])
                    _ = try await transaction.execute("""
                        UPDATE holds SET status = 'confirmed', order_reference = $2, updated_at = now() WHERE id = $1
                        """, [holdID, orderReference])
                    hold.status = .confirmed
                    hold.orderReference = orderReference
                    hold.seats = HoldRows.seats(seatIDs, of: event, holdID: holdID, status: .confirmed)
                    let sale = Sale(id: saleID, holdID: holdID, eventID: event.id, holderID: hold.holderID, seatIDs: seatIDs,
                                    gaPoolCode: hold.gaPoolCode, gaQuantity: hold.gaQuantity, totalPrice: hold.totalPrice,
                                    soldAt: Date(millisecondsSince1970: soldAt), orderReference: orderReference)
                    return (hold, sale)
                }
            }
        } catch {
            throw .from(error, doing: "confirming hold \(holdID)")
        }
    }

    public func release(holdID: String, holderID: String, in event: Event, now: Date) async throws(InventoryError) -> Hold {
        do {
            return try await client.transaction { transaction in
                let hold = try await Self.lockedHold(holdID, event: event, in: transaction)
                switch try HoldLifecycle.release(hold, holderID: holderID) {
                case .alreadyEnded: return hold
                case .release: return try await Self.free(hold, as: .released, event: event, in: transaction)
                }
            }
        } catch {
            throw .from(error, doing: "releasing hold \(holdID)")
        }
    }

    public func pin(holdID: String, holderID: String, pinFor: Duration, in event: Event, now: Date)
        async throws(InventoryError) -> Hold {
        let policy = policy
        do {
            return try await client.transaction { transaction in
                var hold = try await Self.lockedHold(holdID, event: event, in: transaction)
                let until = try HoldLifecycle.pin(hold, holderID: holderID, pinFor: pinFor, at: now, policy: policy)
                _ = try await transaction.execute("""
                    UPDATE holds SET status = 'pinned', pinned_until = \(SQLTime.at(2)), updated_at = now() WHERE id = $1
                    """, [holdID, until.millisecondsSince1970])
                _ = try await transaction.execute("""
                    UPDATE seats SET held_until = \(SQLTime.at(3)) WHERE event_id = $1 AND hold_id = $2 AND status = 'held'
                    """, [event.id, holdID, until.millisecondsSince1970])
                hold.status = .pinned
                hold.pinnedUntil = until
                return hold
            }
        } catch {
            throw .from(error, doing: "pinning hold \(holdID)")
        }
    }

    public func hold(id: String, in event: Event) async throws(InventoryError) -> Hold {
        do {
            let rows = try await client.query(
                "SELECT \(HoldRows.columns) FROM holds WHERE id = $1 AND event_id = $2", [id, event.id])
            guard let row = rows.first else { throw InventoryError.notFound("no hold \(id)") }
            return try HoldRows.decode(row, event: event)
        } catch {
            throw .from(error, doing: "reading hold \(id)")
        }
    }

    public func availability(of event: Event, sectionCode: String?) async throws(InventoryError) -> Availability {
        do {
            let taken = try await client.query(
                "SELECT id, status, hold_id FROM seats WHERE event_id = $1 AND status <> 'available'", [event.id])
            var status: [Int64: (SeatStatus, String?)] = [:]
            for row in taken {
                let (id, text, holdID) = try row.decode((Int64, String, String?).self)
                status[id] = (SeatStatus(rawValue: text) ?? .held, holdID)
            }
            var pools: [String: (held: Int, sold: Int)] = [:]
            for row in try await client.query("SELECT code, held, sold FROM ga_pools WHERE event_id = $1", [event.id]) {
                let (code, held, sold) = try row.decode((String, Int32, Int32).self)
                pools[code] = (Int(held), Int(sold))
            }
            return Availability.count(event: event, sectionCode: sectionCode, status: { status[$0]?.0 ?? .available },
                                      holdID: { status[$0]?.1 }, poolCounts: pools)
        } catch {
            throw .from(error, doing: "counting availability of event \(event.id)")
        }
    }

    public func expireHolds(of event: Event, now: Date, limit: Int) async throws(InventoryError) -> [String] {
        do {
            return try await client.transaction { transaction in
                let due = try await transaction.query("""
                    SELECT \(HoldRows.columns) FROM holds
                    WHERE event_id = $1 AND status IN ('active', 'pinned') AND expires_at <= \(SQLTime.at(2))
                      AND (pinned_until IS NULL OR pinned_until <= \(SQLTime.at(2)))
                    ORDER BY expires_at LIMIT $3 FOR UPDATE SKIP LOCKED
                    """, [event.id, now.millisecondsSince1970, limit])
                var expired: [String] = []
                for row in due {
                    let hold = try HoldRows.decode(row, event: event)
                    guard HoldLifecycle.shouldExpire(hold, at: now) else { continue }
                    _ = try await Self.free(hold, as: .expired, event: event, in: transaction)
                    expired.append(hold.id)
                }
                return expired
            }
        } catch {
            throw .from(error, doing: "expiring holds of event \(event.id)")
        }
    }

    public func checkConsistency(of event: Event) async throws(InventoryError) -> [Drift] { [] }

    private func existingHold(event: Event, holderID: String, key: String) async throws(InventoryError) -> Hold? {
        do {
            let rows = try await client.query("""
                SELECT \(HoldRows.columns) FROM holds WHERE event_id = $1 AND holder_id = $2 AND idempotency_key = $3
                """, [event.id, holderID, key])
            return try rows.first.map { try HoldRows.decode($0, event: event) }
        } catch {
            throw .from(error, doing: "looking up a hold by idempotency key")
        }
    }

    private static func lockedHold(_ id: String, event: Event, in transaction: PostgresTransaction) async throws -> Hold {
        let rows = try await transaction.query(
            "SELECT \(HoldRows.columns) FROM holds WHERE id = $1 AND event_id = $2 FOR UPDATE", [id, event.id])
        guard let row = rows.first else { throw InventoryError.notFound("no hold \(id)") }
        return try HoldRows.decode(row, event: event)
    }

    /// Gives a live hold's seats and units back and ends it with `status`.
    private static func free(_ hold: Hold, as status: HoldStatus, event: Event, in transaction: PostgresTransaction)
        async throws -> Hold {
        if !hold.seats.isEmpty {
            _ = try await transaction.execute("""
                UPDATE seats SET status = 'available', held_by = NULL, held_until = NULL, hold_id = NULL, version = version + 1
                WHERE event_id = $1 AND hold_id = $2 AND status = 'held'
                """, [event.id, hold.id])
        }
        if let pool = hold.gaPoolCode {
            _ = try await transaction.execute(
                "UPDATE ga_pools SET held = held - $3, version = version + 1 WHERE event_id = $1 AND code = $2",
                [event.id, pool, hold.gaQuantity])
        }
        _ = try await transaction.execute(
            "UPDATE holder_tickets SET held = held - $3 WHERE event_id = $1 AND holder_id = $2",
            [event.id, hold.holderID, hold.quantity])
        _ = try await transaction.execute(
            "UPDATE holds SET status = $2, updated_at = now() WHERE id = $1", [hold.id, status.rawValue])
        var ended = hold
        ended.status = status
        ended.seats = HoldRows.seats(hold.seats.map(\.id), of: event, holdID: hold.id, status: status)
        return ended
    }
}
