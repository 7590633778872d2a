/// Checks a ``SeatMap`` and expands it into an ``EventLayout``; every message names the offending
/// element so the caller can fix the map.
struct SeatMapValidator {
    let limits: SeatMapLimits

    /// Codes and row labels are short and made of `[A-Za-z0-9_.-]`, so they can be embedded in
    /// Redis field names and log lines without escaping.
    static func isValidCode(_ code: String, maxLength: Int) -> Bool {
        guard !code.isEmpty, code.utf8.count <= maxLength else { return false }
        return code.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2E || byte == 0x2D
        }
    }

    func expand(_ map: SeatMap) throws(InventoryError) -> EventLayout {
        let tiers = try validateTiers(map.priceTiers)
        guard !map.sections.isEmpty || !map.gaPools.isEmpty else {
            throw .invalidArgument("seat map has neither sections nor general-admission pools")
        }
        guard map.sections.count <= limits.maxSections else {
            throw .invalidArgument("seat map has \(map.sections.count) sections; at most \(limits.maxSections) allowed")
        }
        guard map.gaPools.count <= limits.maxPools else {
            throw .invalidArgument("seat map has \(map.gaPools.count) general-admission pools; at most \(limits.maxPools) allowed")
        }
        var sectionIndexes: [String: Int] = [:]
        var rows: [LayoutRow] = []
        var nextSeatID: Int64 = 1
        for (sectionIndex, section) in map.sections.enumerated() {
            try checkCode(section.code, what: "section")
            try checkName(section.name, what: "section \(section.code)")
            guard sectionIndexes.updateValue(sectionIndex, forKey: section.code) == nil else {
                throw .invalidArgument("duplicate section code \(quoted(section.code))")
            }
            guard !section.rows.isEmpty else { throw .invalidArgument("section \(section.code) has no rows") }
            guard section.rows.count <= limits.maxRowsPerSection else {
                throw .invalidArgument(
                    "section \(section.code) has \(section.rows.count) rows; at most \(limits.maxRowsPerSection) allowed")
            }
            var labels = Set<String>()
            for (rank, row) in section.rows.enumerated() {
                let place = "row \(quoted(row.label)) of section \(section.code)"
                guard Self.isValidCode(row.label, maxLength: limits.maxCodeLength) else {
                    throw .invalidArgument("\(place): row labels are 1-\(limits.maxCodeLength) characters of A-Z a-z 0-9 _ . -")
                }
                guard labels.insert(row.label).inserted else {
                    throw .invalidArgument("duplicate row label \(quoted(row.label)) in section \(section.code)")
                }
                guard row.seatCount > 0 else {
                    throw .invalidArgument("\(place) has seat_count \(row.seatCount); it must be at least 1")
                }
                guard row.seatCount <= limits.maxSeatsPerRow else {
                    throw .invalidArgument("\(place) has \(row.seatCount) seats; at most \(limits.maxSeatsPerRow) allowed")
                }
                guard row.firstNumber >= 0 else {
                    throw .invalidArgument("\(place) has first_number \(row.firstNumber); it must not be negative")
                }
                let firstNumber = row.firstNumber == 0 ? 1 : row.firstNumber
                guard firstNumber + row.seatCount - 1 <= limits.maxSeatNumber else {
                    throw .invalidArgument("\(place) numbers seats past \(limits.maxSeatNumber)")
                }
                let tier = row.priceTier.isEmpty ? section.priceTier : row.priceTier
                guard !tier.isEmpty else {
                    throw .invalidArgument("\(place) has no price tier (set it on the section or the row)")
                }
                guard tiers[tier] != nil else {
                    throw .invalidArgument("\(place) uses unknown price tier \(quoted(tier))")
                }
                guard Int(nextSeatID) - 1 + row.seatCount <= limits.maxSeats else {
                    throw .invalidArgument("seat map has more than \(limits.maxSeats) seats")
                }
                rows.append(LayoutRow(sectionCode: section.code, sectionIndex: sectionIndex, label: row.label, rank: rank,
                                      priceTier: tier, firstSeatID: nextSeatID, seatCount: row.seatCount,
                                      firstNumber: firstNumber))
                nextSeatID += Int64(row.seatCount)
            }
        }
        var pools: [String: GeneralAdmissionPoolSpec] = [:]
        var gaCapacity = 0
        for pool in map.gaPools {
            try checkCode(pool.code, what: "general-admission pool")
            try checkName(pool.name, what: "general-admission pool \(pool.code)")
            guard sectionIndexes[pool.code] == nil else {
                throw .invalidArgument("general-admission pool code \(quoted(pool.code)) is also a section code")
            }
            guard pools.updateValue(pool, forKey: pool.code) == nil else {
                throw .invalidArgument("duplicate general-admission pool code \(quoted(pool.code))")
            }
            guard pool.capacity > 0 else {
                throw .invalidArgument("general-admission pool \(pool.code) has capacity \(pool.capacity); it must be at least 1")
            }
            guard pool.capacity <= limits.maxPoolCapacity else {
                throw .invalidArgument(
                    "general-admission pool \(pool.code) has capacity \(pool.capacity); at most \(limits.maxPoolCapacity) allowed")
            }
            guard tiers[pool.priceTier] != nil else {
                throw .invalidArgument(pool.priceTier.isEmpty
                    ? "general-admission pool \(pool.code) has no price tier"
                    : "general-admission pool \(pool.code) uses unknown price tier \(quoted(pool.priceTier))")
            }
            gaCapacity += pool.capacity
        }
        return EventLayout(seatMap: map, rows: rows, tiers: tiers, pools: pools, sectionIndexes: sectionIndexes,
                           seatCount: Int(nextSeatID - 1), gaCapacity: gaCapacity,
                           currency: map.priceTiers.first?.price.currency ?? "")
    }

    private func validateTiers(_ priceTiers: [PriceTier]) throws(InventoryError) -> [String: PriceTier] {
        guard !priceTiers.isEmpty else { throw .invalidArgument("seat map has no price tiers") }
        guard priceTiers.count <= limits.maxTiers else {
            throw .invalidArgument("seat map has \(priceTiers.count) price tiers; at most \(limits.maxTiers) allowed")
        }
        let currency = priceTiers[0].price.currency
        var tiers: [String: PriceTier] = [:]
        for tier in priceTiers {
            try checkCode(tier.code, what: "price tier")
            try checkName(tier.name, what: "price tier \(tier.code)")
            guard tiers.updateValue(tier, forKey: tier.code) == nil else {
                throw .invalidArgument("duplicate price tier code \(quoted(tier.code))")
            }
            guard tier.price.amountMinor >= 0 else {
                throw .invalidArgument("price tier \(tier.code) has a negative price \(tier.price.amountMinor)")
            }
            guard tier.price.currency.utf8.count == 3,
                  tier.price.currency.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
                throw .invalidArgument(
                    "price tier \(tier.code) has currency \(quoted(tier.price.currency)); use an upper-case ISO 4217 code")
            }
            guard tier.price.currency == currency else {
                throw .invalidArgument("price tier \(tier.code) is in \(tier.price.currency) but \(priceTiers[0].code) is in \(currency); use one currency per event")
            }
        }
        return tiers
    }

    private func checkCode(_ code: String, what: String) throws(InventoryError) {
        guard Self.isValidCode(code, maxLength: limits.maxCodeLength) else {
            throw .invalidArgument(code.isEmpty
                ? "\(what) code is empty"
                : "\(what) code \(quoted(code)) is invalid: use 1-\(limits.maxCodeLength) characters of A-Z a-z 0-9 _ . -")
        }
    }

    private func checkName(_ name: String, what: String) throws(InventoryError) {
        guard name.utf8.count <= limits.maxNameLength else {
            throw .invalidArgument("\(what) name is longer than \(limits.maxNameLength) bytes")
        }
    }

    private func quoted(_ text: String) -> String { "\"\(text.prefix(64))\"" }
}
