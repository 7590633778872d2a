import BoxOfficePostgres

/// Taking a hold in the PostgreSQL store: the cap row, then the conditional seat or pool UPDATE,
/// then the hold row, all in the caller's transaction.
extension PostgresHoldStore {
    static func take(_ plan: HoldPlan, holdID: String, key: String?, event: Event,
                             in transaction: PostgresTransaction) async throws -> Hold {
        let holder = plan.request.holderID
        let quantity = plan.quantity
        _ = try await transaction.execute(
            "INSERT INTO holder_tickets (event_id, holder_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [event.id, holder])
        // The holder's row is the parent row of the cap: locking it serialises this holder's holds,
        // releases and confirms for the event, so the check below cannot be overtaken.
        let current = try await transaction.query(
            "SELECT held + sold FROM holder_tickets WHERE event_id = $1 AND holder_id = $2 FOR UPDATE", [event.id, holder])
        try HolderCap.check(holderID: holder, eventID: event.id, current: Int(try current[0].decode(Int32.self, column: 0)),
                            adding: quantity, cap: plan.holderCap)
        _ = try await transaction.execute(
            "UPDATE holder_tickets SET held = held + $3 WHERE event_id = $1 AND holder_id = $2", [event.id, holder, quantity])
        var seatIDs: [Int64] = []
        var pool: GeneralAdmissionPoolSpec?
        let expires = plan.expiresAt.millisecondsSince1970
        switch plan.target {
        case .seats(let ids):
            let taken = try await takeSeats(ids, holdID: holdID, holder: holder, expires: expires, event: event, in: transaction)
            guard taken == ids.count else {
                let unavailable = try await transaction.query("""
                    SELECT id FROM seats WHERE event_id = $1 AND id = ANY($2::int8[]) AND hold_id IS DISTINCT FROM $3 ORDER BY id
                    """, [event.id, ids, holdID]).map { try $0.decode(Int64.self, column: 0) }
                throw InventoryError.resourceExhausted(
                    "seats not available: \(unavailable.prefix(20).map(String.init).joined(separator: ", "))")
            }
            seatIDs = ids
        case .bestAvailable(let quantity, let rows):
            seatIDs = try await takeBest(quantity, rows: rows, holdID: holdID, holder: holder, expires: expires,
                                         event: event, in: transaction)
        case .generalAdmission(let wanted, let quantity):
            let taken = try await transaction.execute("""
                UPDATE ga_pools SET held = held + $3, version = version + 1
                WHERE event_id = $1 AND code = $2 AND held + sold + $3 <= capacity
                """, [event.id, wanted.code, quantity])
            if taken == 0 {
                let free = try await transaction.query(
                    "SELECT capacity - held - sold FROM ga_pools WHERE event_id = $1 AND code = $2", [event.id, wanted.code])
                throw InventoryError.resourceExhausted(
                    "only \(try free.first?.decode(Int32.self, column: 0) ?? 0) units left in pool \(wanted.code)")
            }
            pool = wanted
        }
        let gaQuantity = pool == nil ? 0 : quantity
        let price = HoldRows.price(seatIDs: seatIDs, pool: pool, quantity: gaQuantity, in: event)
        let rows = try await transaction.query("""
            INSERT INTO holds (id, event_id, holder_id, status, store, seat_ids, ga_pool_code, ga_quantity,
                               total_price_minor, currency, created_at, expires_at, idempotency_key)
            VALUES ($1, $2, $3, 'active', 'postgres', $4::int8[], $5, $6, $7, $8, \(SQLTime.at(9)), \(SQLTime.at(10)), $11)
            RETURNING \(HoldRows.columns)
            """, [holdID, event.id, holder, seatIDs, pool?.code, gaQuantity, price.amountMinor, price.currency,
                  plan.now.millisecondsSince1970, expires, key])
        return try HoldRows.decode(rows[0], event: event)
    }

    static func takeSeats(_ ids: [Int64], holdID: String, holder: String, expires: Int64, event: Event,
                                  in transaction: PostgresTransaction) async throws -> Int {
        try await transaction.execute("""
            UPDATE seats SET status = 'held', held_by = $3, held_until = \(SQLTime.at(4)), hold_id = $5, version = version + 1
            WHERE event_id = $1 AND id = ANY($2::int8[]) AND status = 'available'
            """, [event.id, ids, holder, expires, holdID])
    }

    /// Reads the free seats of the candidate rows, picks the best block, and takes it with the
    /// conditional UPDATE; when a concurrent hold took one of them first, undoes to a savepoint
    /// and looks again (a bounded number of times).
    static func takeBest(_ quantity: Int, rows: [LayoutRow], holdID: String, holder: String, expires: Int64,
                                 event: Event, in transaction: PostgresTransaction) async throws -> [Int64] {
        let sections = Array(Set(rows.map(\.sectionCode)))
        let tiers = Array(Set(rows.map(\.priceTier)))
        for _ in 0..<8 {
            let free = Set(try await transaction.query("""
                SELECT id FROM seats
                WHERE event_id = $1 AND status = 'available' AND section_code = ANY($2::text[]) AND price_tier = ANY($3::text[])
                """, [event.id, sections, tiers]).map { try $0.decode(Int64.self, column: 0) })
            guard let block = BestAvailableSearch.bestBlock(quantity: quantity, rows: rows, isAvailable: free.contains) else {
                if free.count < quantity {
                    throw InventoryError.resourceExhausted("sold out: only \(free.count) seats left")
                }
                throw InventoryError.resourceExhausted("no row has \(quantity) adjacent seats available")
            }
            _ = try await transaction.execute("SAVEPOINT best_available")
            let ids = Array(block)
            if try await takeSeats(ids, holdID: holdID, holder: holder, expires: expires, event: event, in: transaction)
                == quantity {
                return ids
            }
            _ = try await transaction.execute("ROLLBACK TO SAVEPOINT best_available")
        }
        throw InventoryError.aborted("the best seats kept being taken by others; retry")
    }
}
