public import Foundation
public import BoxOfficePostgres
public import BoxOfficeRedis
public import Logging

/// The hold store that decides in Redis: one Lua script per operation, atomic per event, so
/// "sold out" is answered from memory and never reaches PostgreSQL.
///
/// A sale is written to PostgreSQL on confirm by a conditional update (`… WHERE status =
/// 'available'`, one `sold_seats` row per seat, GA `sold` under its CHECK), so even a Redis that
/// lost its data cannot cause a double sale. When Redis cannot be reached every call fails closed
/// with UNAVAILABLE. When a script finds the event missing (Redis lost its data) the store rebuilds
/// it from PostgreSQL and retries once.
public final class RedisHoldStore: HoldStore {
    public let kind = HoldStoreKind.redis
    let redis: RedisClient
    let postgres: PostgresClient
    private let keyPrefix: String
    private let policy: HoldPolicy
    let logger: Logger
    /// How long a confirm in progress keeps the sweeper away from its hold.
    let confirmGuard: Duration = .seconds(30)
    /// How long ended holds stay readable (and their idempotency keys remembered).
    private let endedRetention: Duration = .seconds(86_400)

    /// Creates a store.
    ///
    /// - Parameter keyPrefix: Prepended to every key (before the `{ev:ID}` hash tag); tests use a
    ///   fresh one each.
    public init(redis: RedisClient, postgres: PostgresClient, keyPrefix: String = "boxoffice:inventory:",
                policy: HoldPolicy = .init(), logger: Logger) {
        self.redis = redis
        self.postgres = postgres
        self.keyPrefix = keyPrefix
        self.policy = policy
        self.logger = logger
    }

    func keys(_ event: Event) -> RedisEventKeys { RedisEventKeys(prefix: keyPrefix, eventID: event.id) }

    // MARK: Loading and drift

    public func prepare(_ event: Event) async throws(InventoryError) {
        try await rebuild(event)
    }

    /// Loads `event` from PostgreSQL unless Redis has it (or always, with `force`); returns whether it loaded.
    @discardableResult
    public func rebuild(_ event: Event, force: Bool = false) async throws(InventoryError) -> Bool {
        let snapshot: RedisEventSnapshot
        do {
            snapshot = try await RedisEventSnapshot.read(event, from: postgres)
        } catch {
            throw .from(error, doing: "reading event \(event.id) to load it into Redis")
        }
        let reply = try await evaluate(force ? InventoryScripts.forcedLoad : InventoryScripts.load, event,
                                       snapshot.loadArguments(for: event))
        let loaded = reply.string == "loaded"
        if loaded { logger.info("loaded event into Redis", metadata: ["inventory.event": "\(event.id)"]) }
        return loaded
    }

    public func checkConsistency(of event: Event) async throws(InventoryError) -> [Drift] {
        let keys = keys(event)
        let replies: [RESPValue]
        do {
            replies = try await redis.execute([RedisCommand("HGET", keys.meta, "loaded"), RedisCommand("GET", keys.seats),
                                               RedisCommand("HGETALL", keys.ga)])
        } catch {
            throw Self.unavailable(error)
        }
        guard replies[0].string == "1" else {
            return [Drift(subject: "event \(event.id)", hotStoreValue: "missing", databaseValue: "present")]
        }
        let snapshot: RedisEventSnapshot
        do {
            snapshot = try await RedisEventSnapshot.read(event, from: postgres)
        } catch {
            throw .from(error, doing: "reading event \(event.id) for the drift check")
        }
        return snapshot.drifts(redisSeats: replies[1].bytes ?? [], redisPools: Self.poolCounts(replies[2]).sold, event: event)
    }

    // MARK: Holds

    public func hold(_ plan: HoldPlan, in event: Event) async throws(InventoryError) -> Hold {
        let request = plan.request
        let holdID = HoldIdentifier.make(eventID: event.id)
        let now = plan.now.millisecondsSince1970
        var arguments: [any RedisArgument] = [holdID, request.holderID, request.idempotencyKey, now,
                                              plan.expiresAt.millisecondsSince1970, plan.holderCap, now]
        let script: RedisScript
        switch plan.target {
        case .seats(let ids):
            script = InventoryScripts.holdSeats
            for id in ids {
                guard let seat = event.layout.seat(id) else { throw .notFound("event \(event.id) has no seat \(id)") }
                arguments += [id, "s:\(seat.sectionCode)", "t:\(seat.priceTier)"]
            }
        case .bestAvailable(let quantity, _):
            script = InventoryScripts.holdBestAvailable
            var section: String?
            var tier: String?
            if case .bestAvailable(_, let sectionCode, let priceTier) = request.selection {
                section = sectionCode.flatMap { $0.isEmpty ? nil : $0 }
                tier = priceTier.flatMap { $0.isEmpty ? nil : $0 }
            }
            let field = section.map { "s:\($0)" } ?? tier.map { "t:\($0)" } ?? "all"
            let filter = section != nil ? (tier.map { "t:\($0)" } ?? "") : ""
            arguments += [quantity, field, field, filter]
        case .generalAdmission(let pool, let quantity):
            script = InventoryScripts.holdGeneralAdmission
            arguments += [pool.code, quantity]
        }
        return try await holdReply(script, event, arguments)
    }

    public func release(holdID: String, holderID: String, in event: Event, now: Date) async throws(InventoryError) -> Hold {
        do {
            return try await holdReply(InventoryScripts.release, event, [holdID, holderID, now.millisecondsSince1970])
        } catch let error where error.code == .notFound {
            // Redis may have lost a hold that PostgreSQL knows as sold.
            let stored = try await storedHold(holdID, event: event)
            _ = try HoldLifecycle.release(stored, holderID: holderID)
            return stored
        }
    }

    public func pin(holdID: String, holderID: String, pinFor: Duration, in event: Event, now: Date)
        async throws(InventoryError) -> Hold {
        guard pinFor > .zero, pinFor <= policy.maxPin else {
            throw .invalidArgument("pin_for \(pinFor) is outside (0s, \(policy.maxPin)]")
        }
        return try await holdReply(InventoryScripts.pin, event, [holdID, holderID, now.millisecondsSince1970,
                                                                 pinFor.inMilliseconds, policy.maxHoldLifetime.inMilliseconds])
    }

    public func hold(id: String, in event: Event) async throws(InventoryError) -> Hold {
        let json: [UInt8]?
        do {
            json = try await redis.hget(keys(event).holds, field: id)
        } catch {
            throw Self.unavailable(error)
        }
        guard let json else { return try await storedHold(id, event: event) }
        do {
            return try JSONDecoder().decode(RedisHoldRecord.self, from: Data(json)).hold(in: event)
        } catch {
            throw .internalError("hold \(id) in Redis cannot be read: \(error)")
        }
    }

    /// A hold PostgreSQL knows (confirmed holds of this store are written there).
    func storedHold(_ id: String, event: Event) async throws(InventoryError) -> Hold {
        do {
            let rows = try await postgres.query(
                "SELECT \(HoldRows.columns) FROM holds WHERE id = $1 AND event_id = $2", [id, event.id])
            guard let row = rows.first else { throw InventoryError.notFound("no hold \(id)") }
            return try HoldRows.decode(row, event: event)
        } catch {
            throw .from(error, doing: "reading hold \(id)")
        }
    }

    public func availability(of event: Event, sectionCode: String?) async throws(InventoryError) -> Availability {
        let keys = keys(event)
        var replies: [RESPValue] = []
        for attempt in 0..<2 {
            do {
                replies = try await redis.execute([RedisCommand("HGET", keys.meta, "loaded"), RedisCommand("GET", keys.seats),
                                                   RedisCommand("HGETALL", keys.ga), RedisCommand("HGETALL", keys.seatHolds)])
            } catch {
                throw Self.unavailable(error)
            }
            if replies[0].string == "1" { break }
            if attempt == 1 { throw .unavailable("event \(event.id) could not be loaded into Redis") }
            try await rebuild(event)
        }
        let seats = replies[1].bytes ?? []
        let counts = Self.poolCounts(replies[2])
        var holdIDs: [Int64: String] = [:]
        if sectionCode != nil, let pairs = replies[3].array {
            for index in stride(from: 0, to: pairs.count - 1, by: 2) {
                if let seat = pairs[index].string.flatMap({ Int64($0) }), let hold = pairs[index + 1].string {
                    holdIDs[seat] = hold
                }
            }
        }
        var pools: [String: (held: Int, sold: Int)] = [:]
        for pool in event.layout.seatMap.gaPools {
            pools[pool.code] = (counts.held[pool.code] ?? 0, counts.sold[pool.code] ?? 0)
        }
        return Availability.count(event: event, sectionCode: sectionCode, status: { id in
            let index = Int(id - 1)
            guard index >= 0, index < seats.count else { return .available }
            switch seats[index] {
            case UInt8(ascii: "1"): return .held
            case UInt8(ascii: "2"): return .sold
            default: return .available
            }
        }, holdID: { holdIDs[$0] }, poolCounts: pools)
    }

    public func expireHolds(of event: Event, now: Date, limit: Int) async throws(InventoryError) -> [String] {
        let reply = try await evaluate(InventoryScripts.expire, event,
                                       [now.millisecondsSince1970, limit, endedRetention.inMilliseconds])
        let decoded: RedisSweepReply
        do {
            decoded = try JSONDecoder().decode(RedisSweepReply.self, from: Data(reply.bytes ?? []))
        } catch {
            throw .internalError("sweep reply cannot be read: \(error)")
        }
        if decoded.err == "not_loaded" {
            logger.warning("event missing from Redis; rebuilding from PostgreSQL", metadata: ["inventory.event": "\(event.id)"])
            try await rebuild(event)
            return []
        }
        return decoded.expired ?? []
    }

    // MARK: Scripts

    /// Runs a hold script; rebuilds and retries once when the event is missing from Redis.
    func holdReply(_ script: RedisScript, _ event: Event, _ arguments: [any RedisArgument])
        async throws(InventoryError) -> Hold {
        for attempt in 0..<2 {
            let reply = try await evaluate(script, event, arguments)
            let decoded: RedisScriptReply
            do {
                decoded = try JSONDecoder().decode(RedisScriptReply.self, from: Data(reply.bytes ?? []))
            } catch {
                throw .internalError("script reply cannot be read: \(error)")
            }
            if let hold = decoded.hold { return try hold.hold(in: event) }
            let message = decoded.message ?? "refused"
            switch decoded.err {
            case "not_loaded" where attempt == 0:
                logger.warning("event missing from Redis; rebuilding from PostgreSQL", metadata: ["inventory.event": "\(event.id)"])
                try await rebuild(event)
                continue
            case "seats_taken", "sold_out", "no_adjacent", "holder_cap": throw .resourceExhausted(message)
            case "not_found": throw .notFound(message)
            case "wrong_holder", "other_order", "ended", "expired", "confirmed", "lifetime": throw .failedPrecondition(message)
            default: throw .internalError("script refused with \(decoded.err ?? "nothing"): \(message)")
            }
        }
        throw .unavailable("event \(event.id) could not be loaded into Redis")
    }

    func evaluate(_ script: RedisScript, _ event: Event, _ arguments: [any RedisArgument])
        async throws(InventoryError) -> RESPValue {
        do {
            return try await redis.evalScript(script, keys: keys(event).all, arguments: arguments)
        } catch {
            throw Self.unavailable(error)
        }
    }

    /// Fails closed: anything that kept Redis from answering is UNAVAILABLE, never a guess.
    private static func unavailable(_ error: any Error) -> InventoryError {
        if let error = error as? RedisError, error.code == .serverError, error.serverPrefix != "LOADING" {
            return .internalError("Redis refused a script: \(error.message)")
        }
        return .unavailable("Redis is unavailable: \(error)")
    }

    private static func poolCounts(_ reply: RESPValue) -> (held: [String: Int], sold: [String: Int]) {
        var held: [String: Int] = [:]
        var sold: [String: Int] = [:]
        let pairs = reply.array ?? []
        for index in stride(from: 0, to: pairs.count - 1, by: 2) {
            guard let field = pairs[index].string, let value = pairs[index + 1].string.flatMap({ Int($0) }) else { continue }
            if field.hasSuffix(":held") { held[String(field.dropLast(5))] = value }
            if field.hasSuffix(":sold") { sold[String(field.dropLast(5))] = value }
        }
        return (held, sold)
    }
}
