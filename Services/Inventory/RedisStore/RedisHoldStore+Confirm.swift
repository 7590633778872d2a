public import Foundation
import BoxOfficePostgres
import BoxOfficeRedis

/// Confirm in the Redis store: check in Redis (and guard the hold from the sweeper), record the
/// sale in PostgreSQL with conditional updates, then mark it sold in Redis.
extension RedisHoldStore {
    public func confirm(holdID: String, holderID: String, orderReference: String, in event: Event, now: Date)
        async throws(InventoryError) -> (hold: Hold, sale: Sale) {
        if let done = try await recordedSale(holdID: holdID, holderID: holderID, orderReference: orderReference,
                                             event: event, now: now) {
            return done
        }
        let guardUntil = now.adding(confirmGuard).millisecondsSince1970
        let checked = try await holdReply(InventoryScripts.confirmCheck, event,
                                          [holdID, holderID, orderReference, now.millisecondsSince1970, guardUntil])
        let sale: Sale
        do {
            sale = try await recordSale(of: checked, orderReference: orderReference, event: event)
        } catch let error as PostgresError where error.isUniqueViolation {
            // A concurrent confirm of the same hold won: answer with its sale.
            if let done = try await recordedSale(holdID: holdID, holderID: holderID, orderReference: orderReference,
                                                 event: event, now: now) {
                return done
            }
            throw .from(error, doing: "confirming hold \(holdID)")
        } catch {
            throw .from(error, doing: "confirming hold \(holdID)")
        }
        var hold = checked
        hold.status = .confirmed
        hold.orderReference = orderReference
        hold.seats = HoldRows.seats(sale.seatIDs, of: event, holdID: holdID, status: .confirmed)
        await finishConfirm(holdID: holdID, orderReference: orderReference, event: event, now: now)
        return (hold, sale)
    }

    /// The sale already recorded for `holdID`, after checking it is this holder's and this order's;
    /// also makes Redis agree (a crash may have come between PostgreSQL and Redis).
    private func recordedSale(holdID: String, holderID: String, orderReference: String, event: Event, now: Date)
        async throws(InventoryError) -> (hold: Hold, sale: Sale)? {
        let hold: Hold
        let sale: Sale
        do {
            let rows = try await postgres.query(
                "SELECT \(HoldRows.columns) FROM holds WHERE id = $1 AND event_id = $2", [holdID, event.id])
            guard let row = rows.first else { return nil }
            hold = try HoldRows.decode(row, event: event)
            guard let found = try await HoldRows.sale(of: hold, in: postgres.query) else { return nil }
            sale = found
        } catch {
            throw .from(error, doing: "looking up the sale of hold \(holdID)")
        }
        _ = try HoldLifecycle.confirm(hold, holderID: holderID, orderReference: orderReference, at: now)
        await finishConfirm(holdID: holdID, orderReference: sale.orderReference, event: event, now: now)
        return (hold, sale)
    }

    private func finishConfirm(holdID: String, orderReference: String, event: Event, now: Date) async {
        do {
            let reply = try await evaluate(InventoryScripts.confirmFinish, event,
                                           [holdID, orderReference, now.millisecondsSince1970])
            let decoded = try? JSONDecoder().decode(RedisScriptReply.self, from: Data(reply.bytes ?? []))
            if let refusal = decoded?.err {
                // Redis lost the hold between check and finish: a rebuild may have read PostgreSQL
                // before this sale committed, so reload from PostgreSQL now that it has.
                logger.warning("hold gone from Redis after its sale; reloading the event", metadata: [
                    "inventory.hold": "\(holdID)", "inventory.reason": "\(refusal)",
                ])
                try await rebuild(event, force: true)
            }
        } catch {
            // The sale is recorded; Redis catches up on the next rebuild, and the drift check reports it.
            logger.warning("sale recorded but Redis not updated", metadata: [
                "inventory.hold": "\(holdID)", "inventory.error": "\(error)",
            ])
        }
    }

    /// Writes the sale of `hold` with conditional updates; throws when any seat or unit is gone.
    private func recordSale(of hold: Hold, orderReference: String, event: Event) async throws -> Sale {
        let seatIDs = hold.seats.map(\.id)
        return try await postgres.transaction { transaction in
            _ = try await transaction.execute("SET LOCAL synchronous_commit = on")
            _ = try await transaction.execute("""
                INSERT INTO holds (id, event_id, holder_id, status, store, seat_ids, ga_pool_code, ga_quantity,
                                   total_price_minor, currency, created_at, expires_at, pinned_until, order_reference)
                VALUES ($1, $2, $3, 'confirmed', 'redis', $4::int8[], $5, $6, $7, $8, \(SQLTime.at(9)), \(SQLTime.at(10)),
                        CASE WHEN $11::int8 IS NULL THEN NULL ELSE \(SQLTime.at(11)) END, $12)
                """, [hold.id, event.id, hold.holderID, seatIDs, hold.gaPoolCode, hold.gaQuantity,
                      hold.totalPrice.amountMinor, hold.totalPrice.currency, hold.createdAt.millisecondsSince1970,
                      hold.expiresAt.millisecondsSince1970, hold.pinnedUntil?.millisecondsSince1970, orderReference])
            if !seatIDs.isEmpty {
                let sold = try await transaction.execute("""
                    UPDATE seats SET status = 'sold', hold_id = $3, held_by = $4, held_until = NULL, version = version + 1
                    WHERE event_id = $1 AND id = ANY($2::int8[]) AND status = 'available'
                    """, [event.id, seatIDs, hold.id, hold.holderID])
                guard sold == seatIDs.count else {
                    throw InventoryError.failedPrecondition(
                        "hold \(hold.id): some of its seats are already sold (Redis and PostgreSQL disagree); nothing was sold")
                }
            }
            let saleID = HoldIdentifier.makeSale()
            let soldAt = try await transaction.query("""
                INSERT INTO sales (id, hold_id, event_id, holder_id, ga_pool_code, ga_quantity, total_price_minor,
                                   currency, order_reference)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING \(SQLTime.milliseconds("sold_at"))
                """, [saleID, hold.id, event.id, hold.holderID, hold.gaPoolCode, hold.gaQuantity,
                      hold.totalPrice.amountMinor, hold.totalPrice.currency, orderReference])[0].decode(Int64.self, column: 0)
            if !seatIDs.isEmpty {
                _ = try await transaction.execute(
                    "INSERT INTO sold_seats (event_id, seat_id, sale_id) SELECT $1, unnest($2::int8[]), $3",
                    [event.id, seatIDs, saleID])
            }
            if let pool = hold.gaPoolCode {
                let sold = try await transaction.execute("""
                    UPDATE ga_pools SET sold = sold + $3, version = version + 1
                    WHERE event_id = $1 AND code = $2 AND held + sold + $3 <= capacity
                    """, [event.id, pool, hold.gaQuantity])
                guard sold == 1 else {
                    throw InventoryError.failedPrecondition(
                        "hold \(hold.id): pool \(pool) has no \(hold.gaQuantity) units left to sell; nothing was sold")
                }
            }
            _ = try await transaction.execute("""
                INSERT INTO holder_tickets (event_id, holder_id, sold) VALUES ($1, $2, $3)
                ON CONFLICT (event_id, holder_id) DO UPDATE SET sold = holder_tickets.sold + EXCLUDED.sold
                """, [event.id, hold.holderID, hold.quantity])
            return Sale(id: saleID, holdID: hold.id, eventID: event.id, holderID: hold.holderID, seatIDs: seatIDs,
                        gaPoolCode: hold.gaPoolCode, gaQuantity: hold.gaQuantity, totalPrice: hold.totalPrice,
                        soldAt: Date(millisecondsSince1970: soldAt), orderReference: orderReference)
        }
    }
}
