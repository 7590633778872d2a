import Foundation
public import BoxOfficePostgres
import Synchronization

/// Creates events in PostgreSQL and reads them back, caching each (events never change once created).
///
/// Creation writes the event, tiers, sections, pools and every seat in one transaction; seats are
/// expanded by PostgreSQL itself from one row of arrays per seat-map row (`unnest` ×
/// `generate_series`), so a 100,000-seat map costs one statement of a few kilobytes.
public final class EventCatalog: Sendable {
    private let client: PostgresClient
    private let policy: HoldPolicy
    private let limits: SeatMapLimits
    private let cache = Mutex<[Int64: Event]>([:])

    /// Creates a catalog on `client`.
    public init(client: PostgresClient, policy: HoldPolicy = .init(), limits: SeatMapLimits = .init()) {
        self.client = client
        self.policy = policy
        self.limits = limits
    }

    /// Creates an event from `draft`; the same idempotency key returns the same event.
    ///
    /// - Throws: INVALID_ARGUMENT for a malformed draft (nothing written), ALREADY_EXISTS for an
    ///   idempotency key reused with a different draft, UNAVAILABLE when PostgreSQL is unreachable.
    public func create(_ draft: EventDraft) async throws(InventoryError) -> Event {
        let (layout, ttl) = try draft.validated(policy: policy, limits: limits)
        let fingerprint = Self.fingerprint(draft)
        let key: String? = draft.idempotencyKey.isEmpty ? nil : draft.idempotencyKey
        if let key, let existing = try await existingEvent(key: key, fingerprint: fingerprint) { return existing }
        let id: Int64
        do {
            id = try await client.transaction { transaction in
                try await Self.insert(draft, layout: layout, ttl: ttl, key: key, fingerprint: fingerprint, into: transaction)
            }
        } catch let error as PostgresError where error.isUniqueViolation && key != nil {
            if let key, let existing = try await existingEvent(key: key, fingerprint: fingerprint) { return existing }
            throw .from(error, doing: "creating an event")
        } catch {
            throw .from(error, doing: "creating an event")
        }
        return try await event(id)
    }

    /// The event `id`.
    ///
    /// - Throws: NOT_FOUND when there is none.
    public func event(_ id: Int64) async throws(InventoryError) -> Event {
        if let cached = cache.withLock({ $0[id] }) { return cached }
        let rows: PostgresRows
        do {
            rows = try await client.query("""
                SELECT id, name, venue, \(SQLTime.milliseconds("starts_at")), \(SQLTime.milliseconds("sale_starts_at")),
                       hold_ttl_ms, max_tickets_per_holder, seat_map::text, labels::text, \(SQLTime.milliseconds("created_at"))
                FROM events WHERE id = $1
                """, [id])
        } catch {
            throw .from(error, doing: "reading event \(id)")
        }
        guard let row = rows.first else { throw .notFound("no event \(id)") }
        let event: Event
        do {
            let (eventID, name, venue, startsAt, saleStartsAt, ttl, cap, mapJSON, labelsJSON, createdAt) = try row.decode(
                (Int64, String, String, Int64?, Int64, Int64, Int32, String, String, Int64).self)
            let map = try JSONDecoder().decode(SeatMap.self, from: Data(mapJSON.utf8))
            let labels = try JSONDecoder().decode([String: String].self, from: Data(labelsJSON.utf8))
            var unlimited = limits
            unlimited.maxSeats = .max
            event = Event(id: eventID, name: name, venue: venue, startsAt: startsAt.map(Date.init(millisecondsSince1970:)),
                          saleStartsAt: Date(millisecondsSince1970: saleStartsAt), holdTTL: .milliseconds(ttl),
                          maxTicketsPerHolder: Int(cap), layout: try EventLayout(validating: map, limits: unlimited),
                          createdAt: Date(millisecondsSince1970: createdAt), labels: labels)
        } catch {
            throw .internalError("event \(id) cannot be read back: \(error)")
        }
        cache.withLock { $0[id] = event }
        return event
    }

    /// Ids of every event, for loading the hot store and sweeping.
    public func eventIDs() async throws(InventoryError) -> [Int64] {
        do {
            return try await client.query("SELECT id FROM events ORDER BY id").map { try $0.decode(Int64.self, column: 0) }
        } catch {
            throw .from(error, doing: "listing events")
        }
    }

    private func existingEvent(key: String, fingerprint: String) async throws(InventoryError) -> Event? {
        let rows: PostgresRows
        do {
            rows = try await client.query("SELECT id, request_fingerprint FROM events WHERE idempotency_key = $1", [key])
        } catch {
            throw .from(error, doing: "looking up an event by idempotency key")
        }
        guard let row = rows.first else { return nil }
        let id: Int64
        let stored: String?
        do {
            (id, stored) = try row.decode((Int64, String?).self)
        } catch {
            throw .internalError("\(error)")
        }
        guard stored == fingerprint else {
            throw .alreadyExists("idempotency key \(key.prefix(64)) was used for a different event (\(id))")
        }
        return try await event(id)
    }

    private static func insert(_ draft: EventDraft, layout: EventLayout, ttl: Duration, key: String?, fingerprint: String,
                               into transaction: PostgresTransaction) async throws -> Int64 {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let mapJSON = String(decoding: try encoder.encode(draft.seatMap), as: UTF8.self)
        let labelsJSON = String(decoding: try encoder.encode(draft.labels), as: UTF8.self)
        let id = try await transaction.query("""
            INSERT INTO events (name, venue, starts_at, sale_starts_at, hold_ttl_ms, max_tickets_per_holder, seat_map,
                                seat_count, ga_capacity, labels, idempotency_key, request_fingerprint)
            VALUES ($1, $2, CASE WHEN $3::int8 IS NULL THEN NULL ELSE \(SQLTime.at(3)) END, \(SQLTime.at(4)), $5, $6,
                    $7::jsonb, $8, $9, $10::jsonb, $11, $12)
            RETURNING id
            """, [draft.name, draft.venue, draft.startsAt?.millisecondsSince1970, draft.saleStartsAt.millisecondsSince1970,
                  ttl.inMilliseconds, draft.maxTicketsPerHolder, mapJSON, layout.seatCount, layout.gaCapacity,
                  labelsJSON, key, fingerprint])[0].decode(Int64.self, column: 0)
        let map = draft.seatMap
        _ = try await transaction.execute("""
            INSERT INTO price_tiers (event_id, code, name, price_minor, currency, ordinal)
            SELECT $1, code, name, price, currency, ordinal - 1
            FROM unnest($2::text[], $3::text[], $4::int8[], $5::text[]) WITH ORDINALITY AS t(code, name, price, currency, ordinal)
            """, [id, map.priceTiers.map(\.code), map.priceTiers.map(\.name), map.priceTiers.map(\.price.amountMinor),
                  map.priceTiers.map(\.price.currency)])
        if !map.sections.isEmpty {
            _ = try await transaction.execute("""
                INSERT INTO sections (event_id, code, name, price_tier, ordinal)
                SELECT $1, code, name, tier, ordinal - 1
                FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS s(code, name, tier, ordinal)
                """, [id, map.sections.map(\.code), map.sections.map(\.name), map.sections.map(\.priceTier)])
            let rows = layout.rows
            _ = try await transaction.execute("""
                INSERT INTO seats (event_id, id, section_code, row_label, row_rank, number, position, price_tier)
                SELECT $1, r.first_id + g, r.section, r.label, r.rank, r.first_number + g, g, r.tier
                FROM unnest($2::int8[], $3::int4[], $4::text[], $5::text[], $6::int4[], $7::int4[], $8::text[])
                     AS r(first_id, seat_count, section, label, rank, first_number, tier),
                     generate_series(0, r.seat_count - 1) AS g
                """, [id, rows.map(\.firstSeatID), rows.map { Int32($0.seatCount) }, rows.map(\.sectionCode), rows.map(\.label),
                      rows.map { Int32($0.rank) }, rows.map { Int32($0.firstNumber) }, rows.map(\.priceTier)])
        }
        if !map.gaPools.isEmpty {
            _ = try await transaction.execute("""
                INSERT INTO ga_pools (event_id, code, name, price_tier, ordinal, capacity)
                SELECT $1, code, name, tier, ordinal - 1, capacity
                FROM unnest($2::text[], $3::text[], $4::text[], $5::int4[]) WITH ORDINALITY AS p(code, name, tier, capacity, ordinal)
                """, [id, map.gaPools.map(\.code), map.gaPools.map(\.name), map.gaPools.map(\.priceTier),
                      map.gaPools.map { Int32($0.capacity) }])
        }
        return id
    }

    /// A stable fingerprint of everything a draft asks for (FNV-1a over its sorted-key JSON).
    static func fingerprint(_ draft: EventDraft) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var text = "\(draft.name)\u{0}\(draft.venue)\u{0}\(draft.startsAt?.millisecondsSince1970 ?? -1)\u{0}"
        text += "\(draft.saleStartsAt.millisecondsSince1970)\u{0}\(draft.holdTTL?.inMilliseconds ?? -1)\u{0}"
        text += "\(draft.maxTicketsPerHolder)\u{0}"
        text += String(decoding: (try? encoder.encode(draft.seatMap)) ?? Data(), as: UTF8.self)
        text += String(decoding: (try? encoder.encode(draft.labels)) ?? Data(), as: UTF8.self)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
