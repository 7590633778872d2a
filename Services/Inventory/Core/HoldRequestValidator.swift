public import Foundation

/// Checks a ``HoldRequest`` against its event and the policy; every refusal says what was wrong.
public struct HoldRequestValidator: Sendable {
    /// The bounds to check against.
    public var policy: HoldPolicy

    /// Creates a validator.
    public init(policy: HoldPolicy = .init()) {
        self.policy = policy
    }

    /// Validates `request` for `event` at `now`.
    ///
    /// - Throws: INVALID_ARGUMENT (empty holder, duplicate seats, quantity ≤ 0 or over the
    ///   per-request limit or the holder cap, TTL out of bounds), NOT_FOUND (unknown seat,
    ///   section, tier or pool), FAILED_PRECONDITION (sale not started).
    public func validate(_ request: HoldRequest, for event: Event, now: Date) throws(InventoryError) -> HoldPlan {
        guard request.eventID == event.id else {
            throw .internalError("hold request for event \(request.eventID) checked against event \(event.id)")
        }
        guard !request.holderID.isEmpty, request.holderID.utf8.count <= policy.maxIdentifierLength else {
            throw .invalidArgument("holder_id must be 1-\(policy.maxIdentifierLength) bytes")
        }
        guard request.idempotencyKey.utf8.count <= policy.maxIdentifierLength else {
            throw .invalidArgument("idempotency_key is longer than \(policy.maxIdentifierLength) bytes")
        }
        let ttl = request.ttl ?? event.holdTTL
        guard ttl >= policy.minTTL, ttl <= policy.maxTTL else {
            throw .invalidArgument("ttl \(ttl) is outside \(policy.minTTL)...\(policy.maxTTL)")
        }
        let layout = event.layout
        let target: HoldPlan.Target
        let quantity: Int
        switch request.selection {
        case .specificSeats(let ids):
            guard !ids.isEmpty else { throw .invalidArgument("specific_seats lists no seats") }
            var seen = Set<Int64>()
            var duplicates: [Int64] = []
            for id in ids where !seen.insert(id).inserted { duplicates.append(id) }
            guard duplicates.isEmpty else {
                throw .invalidArgument("seat ids repeated in one request: \(list(duplicates))")
            }
            try checkQuantity(ids.count, cap: event.maxTicketsPerHolder)
            let unknown = ids.filter { $0 < 1 || $0 > Int64(layout.seatCount) }
            guard unknown.isEmpty else {
                throw .notFound("event \(event.id) has no seat \(list(unknown))")
            }
            target = .seats(ids.sorted())
            quantity = ids.count
        case .bestAvailable(let requested, let sectionCode, let priceTier):
            try checkQuantity(requested, cap: event.maxTicketsPerHolder)
            let section = sectionCode.flatMap { $0.isEmpty ? nil : $0 }
            let tier = priceTier.flatMap { $0.isEmpty ? nil : $0 }
            if let section, layout.sectionIndexes[section] == nil {
                throw .notFound("event \(event.id) has no section \"\(section.prefix(64))\"")
            }
            if let tier, layout.tiers[tier] == nil {
                throw .notFound("event \(event.id) has no price tier \"\(tier.prefix(64))\"")
            }
            let rows = layout.rows(sectionCode: section, priceTier: tier)
            guard !rows.isEmpty else {
                throw .notFound("event \(event.id) has no reserved seats in \(describe(section: section, tier: tier))")
            }
            guard rows.contains(where: { $0.seatCount >= requested }) else {
                throw .invalidArgument("no row in \(describe(section: section, tier: tier)) has \(requested) seats")
            }
            target = .bestAvailable(quantity: requested, rows: rows)
            quantity = requested
        case .generalAdmission(let poolCode, let requested):
            guard let pool = layout.pools[poolCode] else {
                throw .notFound("event \(event.id) has no general-admission pool \"\(poolCode.prefix(64))\"")
            }
            try checkQuantity(requested, cap: event.maxTicketsPerHolder)
            target = .generalAdmission(pool: pool, quantity: requested)
            quantity = requested
        }
        guard now >= event.saleStartsAt else {
            throw .failedPrecondition(
                "the sale for event \(event.id) starts at \(event.saleStartsAt.formatted(.iso8601)); holds open then")
        }
        return HoldPlan(request: request, target: target, quantity: quantity, ttl: ttl, now: now,
                        expiresAt: now.adding(ttl), holderCap: event.maxTicketsPerHolder)
    }

    private func checkQuantity(_ quantity: Int, cap: Int) throws(InventoryError) {
        guard quantity > 0 else { throw .invalidArgument("quantity \(quantity) must be at least 1") }
        guard quantity <= policy.maxQuantityPerRequest else {
            throw .invalidArgument("quantity \(quantity) is over the limit of \(policy.maxQuantityPerRequest) per request")
        }
        guard cap == 0 || quantity <= cap else {
            throw .invalidArgument("quantity \(quantity) is over the cap of \(cap) tickets per holder")
        }
    }

    private func describe(section: String?, tier: String?) -> String {
        switch (section, tier) {
        case let (section?, tier?): "section \(section) at tier \(tier)"
        case let (section?, nil): "section \(section)"
        case let (nil, tier?): "tier \(tier)"
        case (nil, nil): "the event"
        }
    }

    private func list(_ ids: [Int64]) -> String {
        let shown = ids.prefix(10).map(String.init).joined(separator: ", ")
        return ids.count > 10 ? shown + " and \(ids.count - 10) more" : shown
    }
}
