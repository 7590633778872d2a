import BoxOfficeRedis
import Logging

/// Reads each event's inventory state from Redis (the keys of `Services/Inventory/RedisStore`, under
/// the hash tag `{ev:ID}`), read-only.
struct HotStoreReader {
    var url: String
    var prefix: String
    var logger: Logger

    func read(eventIDs: [Int64]) async throws -> HotStoreAudit {
        let client: RedisClient
        do {
            client = try await RedisClient.connect(configuration: RedisConfiguration(url: url), connectionCount: 1,
                                                   connectDeadline: .seconds(5), logger: logger)
        } catch {
            throw AuditReadError(message: "reading Redis at \(url) failed: \(error)")
        }
        do {
            let audit = try await read(eventIDs: eventIDs, client)
            await client.close()
            return audit
        } catch {
            await client.close()
            throw AuditReadError(message: "reading Redis at \(url) failed: \(error)")
        }
    }

    private func read(eventIDs: [Int64], _ client: RedisClient) async throws -> HotStoreAudit {
        var audit = HotStoreAudit()
        let time = try await client.send("TIME").array ?? []
        if time.count == 2, let seconds = time[0].string.flatMap({ Int64($0) }), let micros = time[1].string.flatMap({ Int64($0) }) {
            audit.readAtMilliseconds = seconds * 1000 + micros / 1000
        }
        for eventID in eventIDs {
            let base = "\(prefix){ev:\(eventID)}:"
            let replies = try await client.execute([
                RedisCommand("HGET", base + "meta", "loaded"),
                RedisCommand("GET", base + "seats"),
                RedisCommand("HGET", base + "avail", "all"),
                RedisCommand("HGETALL", base + "ga"),
                RedisCommand("ZRANGE", base + "expiry", "0", "-1", "WITHSCORES"),
            ])
            guard replies.count == 5, replies[0].string == "1" else {
                audit.events.append(.init(eventID: eventID, loaded: false))
                continue
            }
            let statuses = replies[1].bytes ?? []
            var sold: [Int64] = []
            var available = 0
            for (index, status) in statuses.enumerated() {
                if status == UInt8(ascii: "2") { sold.append(Int64(index + 1)) }
                if status == UInt8(ascii: "0") { available += 1 }
            }
            var poolSold: [String: Int] = [:]
            let ga = replies[3].array ?? []
            for pair in stride(from: 0, to: ga.count - 1, by: 2) {
                guard let field = ga[pair].string, field.hasSuffix(":sold") else { continue }
                poolSold[String(field.dropLast(":sold".count))] = ga[pair + 1].string.flatMap { Int($0) } ?? 0
            }
            var live: [String: Int64] = [:]
            let expiry = replies[4].array ?? []
            for pair in stride(from: 0, to: expiry.count - 1, by: 2) {
                guard let hold = expiry[pair].string, let score = expiry[pair + 1].string.flatMap({ Double($0) }) else { continue }
                live[hold] = Int64(score)
            }
            audit.events.append(.init(eventID: eventID, loaded: true, soldSeatIDs: sold, availableSeatCount: available,
                                      availableCounter: replies[2].string.flatMap { Int($0) } ?? 0, poolSold: poolSold,
                                      liveHoldDeadlines: live))
        }
        return audit
    }
}
