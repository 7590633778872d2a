import BoxOfficePostgres
import BoxOfficeRedis

/// An event's state as PostgreSQL knows it, in the shape the load script and the drift check need.
///
/// For the Redis store PostgreSQL holds only sales (holds live in Redis until confirmed), so a
/// rebuild after Redis lost its data makes every unsold seat available again: holds that were
/// only in Redis are gone, which fails safe (their confirm answers NOT_FOUND, nothing is sold twice).
struct RedisEventSnapshot {
    var soldSeats: [Int64: String]  // seat → hold id
    var poolSold: [String: Int]
    var holderSold: [String: Int]

    static func read(_ event: Event, from postgres: PostgresClient) async throws -> RedisEventSnapshot {
        var soldSeats: [Int64: String] = [:]
        for row in try await postgres.query("""
            SELECT ss.seat_id, s.hold_id FROM sold_seats ss JOIN sales s ON s.id = ss.sale_id WHERE ss.event_id = $1
            """, [event.id]) {
            let (seat, hold) = try row.decode((Int64, String).self)
            soldSeats[seat] = hold
        }
        var poolSold: [String: Int] = [:]
        for row in try await postgres.query("SELECT code, sold FROM ga_pools WHERE event_id = $1", [event.id]) {
            let (code, sold) = try row.decode((String, Int32).self)
            poolSold[code] = Int(sold)
        }
        var holderSold: [String: Int] = [:]
        for row in try await postgres.query(
            "SELECT holder_id, sold FROM holder_tickets WHERE event_id = $1 AND sold > 0", [event.id]) {
            let (holder, sold) = try row.decode((String, Int32).self)
            holderSold[holder] = Int(sold)
        }
        return RedisEventSnapshot(soldSeats: soldSeats, poolSold: poolSold, holderSold: holderSold)
    }

    /// ARGV for ``LoadEventScript``.
    func loadArguments(for event: Event) -> [any RedisArgument] {
        let layout = event.layout
        var statuses = [UInt8](repeating: UInt8(ascii: "0"), count: layout.seatCount)
        for seat in soldSeats.keys where seat >= 1 && seat <= Int64(layout.seatCount) {
            statuses[Int(seat - 1)] = UInt8(ascii: "2")
        }
        var layoutFields: [String: [String]] = [:]
        var available: [String: Int] = ["all": 0]
        for section in layout.seatMap.sections { available["s:\(section.code)"] = 0 }
        for tier in layout.seatMap.priceTiers { available["t:\(tier.code)"] = 0 }
        for row in layout.rows {
            let encoded = "\(row.rank),\(row.firstSeatID),\(row.seatCount),\(row.sectionIndex),s:\(row.sectionCode),t:\(row.priceTier)"
            layoutFields["s:\(row.sectionCode)", default: []].append(encoded)
            layoutFields["t:\(row.priceTier)", default: []].append(encoded)
            layoutFields["all", default: []].append(encoded)
            let free = row.seatIDs.reduce(0) { $0 + (statuses[Int($1 - 1)] == UInt8(ascii: "0") ? 1 : 0) }
            available["all", default: 0] += free
            available["s:\(row.sectionCode)", default: 0] += free
            available["t:\(row.priceTier)", default: 0] += free
        }
        var pools: [(String, String)] = []
        for pool in layout.seatMap.gaPools {
            pools += [("\(pool.code):cap", "\(pool.capacity)"), ("\(pool.code):held", "0"),
                      ("\(pool.code):sold", "\(poolSold[pool.code] ?? 0)")]
        }
        let groups: [[(String, String)]] = [
            layoutFields.map { ($0.key, $0.value.joined(separator: ";")) },
            available.map { ($0.key, String($0.value)) },
            pools,
            holderSold.map { ($0.key, String($0.value)) },
            soldSeats.map { (String($0.key), $0.value) },
        ]
        var arguments: [any RedisArgument] = [layout.seatCount, statuses]
        arguments += groups.map { $0.count as any RedisArgument }
        for group in groups {
            for (field, value) in group { arguments += [field, value] }
        }
        return arguments
    }

    /// Differences between Redis's seat statuses and GA counters and this snapshot. A seat held in
    /// Redis is not drift (holds live only there); a sale must agree on both sides.
    func drifts(redisSeats: [UInt8], redisPools: [String: Int], event: Event) -> [Drift] {
        var drifts: [Drift] = []
        if redisSeats.count != event.seatCount {
            drifts.append(Drift(subject: "seat count", hotStoreValue: "\(redisSeats.count)", databaseValue: "\(event.seatCount)"))
        }
        for index in 0..<min(redisSeats.count, event.seatCount) {
            let id = Int64(index + 1)
            let soldInRedis = redisSeats[index] == UInt8(ascii: "2")
            let soldInDatabase = soldSeats[id] != nil
            if soldInRedis != soldInDatabase {
                drifts.append(Drift(subject: "seat \(id)", hotStoreValue: soldInRedis ? "sold" : "not sold",
                                    databaseValue: soldInDatabase ? "sold" : "not sold"))
            }
        }
        for pool in event.layout.seatMap.gaPools {
            let hot = redisPools[pool.code] ?? 0
            let database = poolSold[pool.code] ?? 0
            if hot != database {
                drifts.append(Drift(subject: "pool \(pool.code) sold", hotStoreValue: "\(hot)", databaseValue: "\(database)"))
            }
        }
        return drifts
    }
}
