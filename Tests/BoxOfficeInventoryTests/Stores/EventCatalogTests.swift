import Foundation
import Testing
import BoxOfficeInventory

@Suite("Event creation")
struct EventCatalogTests {
    @Test("idempotent by key; a reused key with another map is ALREADY_EXISTS; a bad map writes nothing")
    func idempotency() async throws {
        try await TestBed.run(.postgres) { bed in
            let first = try await bed.createEvent(key: "create-1")
            let again = try await bed.createEvent(key: "create-1")
            #expect(again.id == first.id)
            #expect(again.seatCount == 40)
            #expect(again.gaCapacity == 20)
            let other = await #expect(throws: InventoryError.self) { try await bed.createEvent(rows: 6, key: "create-1") }
            #expect(other?.code == .alreadyExists)
            var map = first.seatMap
            map.sections[0].rows[0].priceTier = "NOPE"
            let bad = await #expect(throws: InventoryError.self) {
                try await bed.inventory.createEvent(EventDraft(name: "Bad", saleStartsAt: bed.clock.now, seatMap: map))
            }
            #expect(bad?.code == .invalidArgument)
            #expect(try await bed.count("SELECT count(*) FROM events") == 1)
            let read = try await bed.inventory.event(first.id)
            #expect(read.seatMap == first.seatMap)
            #expect(read.holdTTL == .seconds(60))
            #expect(read.saleStartsAt == first.saleStartsAt)
            let missing = await #expect(throws: InventoryError.self) { try await bed.inventory.event(first.id + 1) }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("a 100,000-seat map loads into PostgreSQL and Redis", arguments: HoldStoreBehaviourTests.stores)
    func largeEvent(kind: HoldStoreKind) async throws {
        try await TestBed.run(kind) { bed in
            let event = try await bed.createEvent(rows: 1_000, seatsPerRow: 100, gaCapacity: 5_000)
            #expect(event.seatCount == 100_000)
            #expect(try await bed.count("SELECT count(*) FROM seats WHERE event_id = $1", [event.id]) == 100_000)
            let last = try await bed.inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "alice",
                                                                     selection: .specificSeats([100_000, 99_999])))
            #expect(last.seats.map(\.number) == [99, 100])
            let best = try await bed.inventory.holdSeats(HoldRequest(
                eventID: event.id, holderID: "bob", selection: .bestAvailable(quantity: 4, sectionCode: "BALC", priceTier: nil)))
            #expect(best.seats.map(\.row) == ["B0", "B0", "B0", "B0"])
            let availability = try await bed.inventory.availability(eventID: event.id)
            #expect(availability.available == 100_000 - 6 + 5_000)
        }
    }
}
