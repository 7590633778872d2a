import Foundation

/// A hold as the Lua scripts keep it (JSON in the event's `holds` hash).
struct RedisHoldRecord: Decodable {
    /// One held seat: id, section counter key, tier counter key.
    struct SeatEntry: Decodable {
        var id: Int64
        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            id = try container.decode(Int64.self)
        }
    }

    var id: String
    var holder: String
    var status: String
    var seats: [SeatEntry]?
    var pool: String
    var qty: Int
    var created: Int64
    var expires: Int64
    var pinned: Int64
    var order: String
    var idem: String

    func hold(in event: Event) throws(InventoryError) -> Hold {
        guard let status = HoldStatus(rawValue: status) else { throw .internalError("hold \(id) has status \(self.status)") }
        let seatIDs = (seats ?? []).map(\.id)
        let pool = self.pool.isEmpty ? nil : event.layout.pools[self.pool]
        return Hold(id: id, eventID: event.id, holderID: holder, status: status,
                    seats: HoldRows.seats(seatIDs, of: event, holdID: id, status: status), gaPoolCode: pool?.code,
                    gaQuantity: qty, totalPrice: HoldRows.price(seatIDs: seatIDs, pool: pool, quantity: qty, in: event),
                    createdAt: Date(millisecondsSince1970: created), expiresAt: Date(millisecondsSince1970: expires),
                    pinnedUntil: pinned > 0 ? Date(millisecondsSince1970: pinned) : nil,
                    orderReference: order.isEmpty ? nil : order)
    }
}

/// What a hold script answers: a hold record, or a refusal code with a message.
struct RedisScriptReply: Decodable {
    var hold: RedisHoldRecord?
    var replay: Bool?
    var err: String?
    var message: String?
}

/// What the sweep script answers.
struct RedisSweepReply: Decodable {
    var expired: [String]?
    var more: Bool?
    var err: String?
    var message: String?
}
