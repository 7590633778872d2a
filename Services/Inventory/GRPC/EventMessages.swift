import Foundation
import BoxOfficeAPI
import BoxOfficeProto

/// `CreateEventRequest` ↔ ``EventDraft`` and ``Event`` → `Event`.
enum EventMessages {
    /// The draft a `CreateEventRequest` asks for; the seat map itself is checked by ``EventDraft/validated(policy:limits:)``.
    ///
    /// An absent `sale_starts_at` means the sale is open from the start (the Unix epoch, so an
    /// idempotent retry describes the same draft).
    static func draft(_ request: Boxoffice_Inventory_V1_CreateEventRequest) throws(InventoryError) -> EventDraft {
        guard let wireMap = request.seatMap else { throw .invalidArgument("seat_map is required") }
        var tiers: [PriceTier] = []
        for tier in wireMap.priceTiers {
            guard let price = tier.price else {
                throw .invalidArgument("price tier \(tier.code.prefix(64)) has no price")
            }
            tiers.append(PriceTier(code: tier.code, name: tier.name,
                                   price: Money(amountMinor: price.amountMinor, currency: price.currency)))
        }
        let sections = wireMap.sections.map { section in
            SectionSpec(code: section.code, name: section.name, priceTier: section.priceTier, rows: section.rows.map { row in
                RowSpec(label: row.label, seatCount: Int(row.seatCount), firstNumber: row.firstNumber == 0 ? 1 : Int(row.firstNumber),
                        priceTier: row.priceTier)
            })
        }
        let pools = wireMap.gaPools.map { pool in
            GeneralAdmissionPoolSpec(code: pool.code, name: pool.name, priceTier: pool.priceTier, capacity: Int(pool.capacity))
        }
        return EventDraft(
            name: request.name, venue: request.venue, startsAt: try WireValues.date(request.startsAt, field: "starts_at"),
            saleStartsAt: try WireValues.date(request.saleStartsAt, field: "sale_starts_at") ?? Date(millisecondsSince1970: 0),
            holdTTL: try WireValues.duration(request.holdTtl, field: "hold_ttl"),
            maxTicketsPerHolder: Int(request.maxTicketsPerHolder),
            seatMap: SeatMap(priceTiers: tiers, sections: sections, gaPools: pools),
            idempotencyKey: request.idempotencyKey, labels: request.labels)
    }

    /// The wire form of `event`.
    static func wire(_ event: Event) -> Boxoffice_Inventory_V1_Event {
        var wire = Boxoffice_Inventory_V1_Event()
        wire.id = event.id
        wire.name = event.name
        wire.venue = event.venue
        wire.startsAt = event.startsAt.map(WireValues.timestamp)
        wire.saleStartsAt = WireValues.timestamp(event.saleStartsAt)
        wire.holdTtl = Google_Protobuf_Duration(event.holdTTL)
        wire.maxTicketsPerHolder = WireValues.int32(event.maxTicketsPerHolder)
        wire.seatMap = seatMap(event.seatMap)
        wire.seatCount = WireValues.int32(event.seatCount)
        wire.gaCapacity = WireValues.int32(event.gaCapacity)
        wire.createdAt = WireValues.timestamp(event.createdAt)
        wire.labels = event.labels
        return wire
    }

    private static func seatMap(_ map: SeatMap) -> Boxoffice_Inventory_V1_SeatMap {
        var wire = Boxoffice_Inventory_V1_SeatMap()
        wire.priceTiers = map.priceTiers.map { tier in
            var wireTier = Boxoffice_Inventory_V1_PriceTier()
            wireTier.code = tier.code
            wireTier.name = tier.name
            wireTier.price = WireValues.money(tier.price)
            return wireTier
        }
        wire.sections = map.sections.map { section in
            var wireSection = Boxoffice_Inventory_V1_SectionSpec()
            wireSection.code = section.code
            wireSection.name = section.name
            wireSection.priceTier = section.priceTier
            wireSection.rows = section.rows.map { row in
                var wireRow = Boxoffice_Inventory_V1_RowSpec()
                wireRow.label = row.label
                wireRow.seatCount = WireValues.int32(row.seatCount)
                wireRow.firstNumber = WireValues.int32(row.firstNumber)
                wireRow.priceTier = row.priceTier
                return wireRow
            }
            return wireSection
        }
        wire.gaPools = map.gaPools.map { pool in
            var wirePool = Boxoffice_Inventory_V1_GeneralAdmissionPoolSpec()
            wirePool.code = pool.code
            wirePool.name = pool.name
            wirePool.priceTier = pool.priceTier
            wirePool.capacity = WireValues.int32(pool.capacity)
            return wirePool
        }
        return wire
    }
}
