import Foundation
import BoxOfficePostgres

/// Reading holds and sales back from PostgreSQL rows (shared by both stores).
enum HoldRows {
    /// The columns ``decode(_:event:)`` expects, in order.
    static let columns = """
        id, holder_id, status, seat_ids, ga_pool_code, ga_quantity, total_price_minor, currency,
        \(SQLTime.milliseconds("created_at")), \(SQLTime.milliseconds("expires_at")),
        \(SQLTime.milliseconds("pinned_until")), order_reference
        """

    static func decode(_ row: PostgresRow, event: Event) throws -> Hold {
        let (id, holder, statusText, seatIDs, pool, quantity, price, currency, created, expires, pinned, order) = try row.decode(
            (String, String, String, [Int64], String?, Int32, Int64, String, Int64, Int64, Int64?, String?).self)
        guard let status = HoldStatus(rawValue: statusText) else { throw InventoryError.internalError("hold \(id) has status \(statusText)") }
        return Hold(id: id, eventID: event.id, holderID: holder, status: status,
                    seats: seats(seatIDs, of: event, holdID: id, status: status), gaPoolCode: pool,
                    gaQuantity: Int(quantity), totalPrice: Money(amountMinor: price, currency: currency),
                    createdAt: Date(millisecondsSince1970: created), expiresAt: Date(millisecondsSince1970: expires),
                    pinnedUntil: pinned.map(Date.init(millisecondsSince1970:)), orderReference: order)
    }

    /// The seats of a hold with the status its own status implies.
    static func seats(_ ids: [Int64], of event: Event, holdID: String, status: HoldStatus) -> [Seat] {
        let seatStatus: SeatStatus = switch status {
        case .active, .pinned: .held
        case .confirmed: .sold
        case .released, .expired: .available
        }
        return ids.sorted().compactMap { id in
            event.layout.seat(id).map { Seat($0, status: seatStatus, holdID: seatStatus == .available ? nil : holdID) }
        }
    }

    /// The price of `seatIDs` plus `quantity` units of `pool`.
    static func price(seatIDs: [Int64], pool: GeneralAdmissionPoolSpec?, quantity: Int, in event: Event) -> Money {
        let layout = event.layout
        var total: Int64 = 0
        for id in seatIDs {
            if let seat = layout.seat(id) { total += layout.price(ofTier: seat.priceTier).amountMinor }
        }
        if let pool { total += layout.price(ofTier: pool.priceTier).amountMinor * Int64(quantity) }
        return Money(amountMinor: total, currency: layout.currency)
    }

    /// The sale of `hold`, from its `sales` row.
    static func sale(of hold: Hold, in transactionOrClient: (String, [any PostgresEncodable]) async throws -> PostgresRows)
        async throws -> Sale? {
        let rows = try await transactionOrClient(
            "SELECT id, \(SQLTime.milliseconds("sold_at")), order_reference FROM sales WHERE hold_id = $1", [hold.id])
        guard let row = rows.first else { return nil }
        let (id, soldAt, order) = try row.decode((String, Int64, String).self)
        return Sale(id: id, holdID: hold.id, eventID: hold.eventID, holderID: hold.holderID, seatIDs: hold.seats.map(\.id),
                    gaPoolCode: hold.gaPoolCode, gaQuantity: hold.gaQuantity, totalPrice: hold.totalPrice,
                    soldAt: Date(millisecondsSince1970: soldAt), orderReference: order)
    }
}
