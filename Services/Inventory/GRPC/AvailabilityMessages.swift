import BoxOfficeAPI

/// ``Availability`` and drift reports → their wire forms.
enum AvailabilityMessages {
    /// The wire form of `availability`.
    static func wire(_ availability: Availability) -> Boxoffice_Inventory_V1_GetAvailabilityResponse {
        var wire = Boxoffice_Inventory_V1_GetAvailabilityResponse()
        wire.eventID = availability.eventID
        wire.sections = availability.sections.map { section in
            var wireSection = Boxoffice_Inventory_V1_SectionAvailability()
            wireSection.sectionCode = section.sectionCode
            wireSection.priceTier = section.priceTier
            wireSection.total = WireValues.int32(section.total)
            wireSection.available = WireValues.int32(section.available)
            wireSection.held = WireValues.int32(section.held)
            wireSection.sold = WireValues.int32(section.sold)
            return wireSection
        }
        wire.tiers = availability.tiers.map { tier in
            var wireTier = Boxoffice_Inventory_V1_TierAvailability()
            wireTier.priceTier = tier.priceTier
            wireTier.total = WireValues.int32(tier.total)
            wireTier.available = WireValues.int32(tier.available)
            wireTier.held = WireValues.int32(tier.held)
            wireTier.sold = WireValues.int32(tier.sold)
            return wireTier
        }
        wire.pools = availability.pools.map { pool in
            var wirePool = Boxoffice_Inventory_V1_PoolAvailability()
            wirePool.poolCode = pool.poolCode
            wirePool.priceTier = pool.priceTier
            wirePool.capacity = WireValues.int32(pool.capacity)
            wirePool.available = WireValues.int32(pool.available)
            wirePool.held = WireValues.int32(pool.held)
            wirePool.sold = WireValues.int32(pool.sold)
            return wirePool
        }
        wire.seats = availability.seats.map(HoldMessages.seat)
        wire.available = WireValues.int32(availability.available)
        wire.soldOut = availability.soldOut
        return wire
    }

    /// The wire form of a drift check.
    static func wire(_ drifts: [Drift], store: HoldStoreKind) -> Boxoffice_Inventory_V1_CheckConsistencyResponse {
        var wire = Boxoffice_Inventory_V1_CheckConsistencyResponse()
        wire.store = switch store {
        case .postgres: .postgres
        case .redis: .redis
        }
        wire.drifts = drifts.map { drift in
            var wireDrift = Boxoffice_Inventory_V1_Drift()
            wireDrift.subject = drift.subject
            wireDrift.hotStoreValue = drift.hotStoreValue
            wireDrift.databaseValue = drift.databaseValue
            return wireDrift
        }
        wire.consistent = drifts.isEmpty
        return wire
    }
}
