import Foundation
import Testing
import BoxOfficeAPI
import BoxOfficeInventory
import BoxOfficeRPC

/// Every RPC of `boxoffice.inventory.v1.InventoryService` through our generated client against a
/// real in-process server, for each hold store.
@Suite("Inventory gRPC service")
struct InventoryGRPCServiceTests {
    @Test("every RPC answers what the domain decided", arguments: HoldStoreBehaviourTests.stores)
    func everyRPC(kind: HoldStoreKind) async throws {
        try await GRPCTestBed.run(kind) { client, bed in
            let create = Wire.createEvent(saleStartsAt: bed.clock.now.adding(.seconds(-60)), key: "ev-1", cap: 6)
            let event = try #require(try await client.createEvent(create).event)
            #expect(event.seatCount == 40)
            #expect(event.gaCapacity == 10)
            #expect(event.maxTicketsPerHolder == 6)
            #expect(event.holdTtl?.seconds == 60)
            #expect(event.labels == ["genre": "rock"])
            #expect(event.seatMap?.sections.map(\.code) == ["FLOOR", "BALC"])
            #expect(event.seatMap?.priceTiers.first?.price?.amountMinor == 10_000)
            // CreateEvent is idempotent by key.
            #expect(try await client.createEvent(create).event?.id == event.id)
            #expect(try await client.getEvent(Wire.event(event.id)).event == event)

            // Specific seats, with an idempotent retry.
            let held = try #require(try await client.holdSeats(Wire.hold(event.id, "alice", seats: [2, 1], key: "k1")).hold)
            #expect(held.seats.map(\.id) == [1, 2])
            #expect(held.seats.allSatisfy { $0.status == .held && $0.holdID == held.id && $0.sectionCode == "FLOOR" })
            #expect(held.status == .active)
            #expect(held.totalPrice == Wire.money(20_000))
            #expect(held.expiresAt?.date == bed.clock.now.adding(.seconds(60)))
            #expect(held.holderID == "alice")
            let retried = try #require(try await client.holdSeats(Wire.hold(event.id, "alice", seats: [2, 1], key: "k1")).hold)
            #expect(retried.id == held.id)
            #expect(retried.seats.map(\.id) == [1, 2])

            // Best available and GA.
            let best = try #require(try await client.holdSeats(Wire.holdBest(event.id, "bob", quantity: 3, section: "BALC")).hold)
            #expect(best.seats.count == 3)
            #expect(best.seats.allSatisfy { $0.sectionCode == "BALC" })
            #expect(Set(best.seats.map(\.row)).count == 1)
            #expect(best.totalPrice == Wire.money(12_000))
            let ga = try #require(try await client.holdSeats(Wire.holdGA(event.id, "carol", quantity: 4)).hold)
            #expect(ga.gaPoolCode == "PIT")
            #expect(ga.gaQuantity == 4)
            #expect(ga.seats.isEmpty)

            // Availability: counts and one section's seats.
            let availability = try await client.getAvailability(Wire.availability(event.id, section: "FLOOR"))
            #expect(availability.eventID == event.id)
            #expect(availability.sections.map(\.held) == [2, 3])
            #expect(availability.sections.map(\.total) == [20, 20])
            #expect(availability.tiers.map(\.priceTier) == ["A", "B"])
            #expect(availability.pools.first?.held == 4)
            #expect(availability.pools.first?.available == 6)
            #expect(availability.seats.count == 20)
            #expect(availability.seats.filter { $0.status == .held }.map(\.id) == [1, 2])
            #expect(availability.seats.first?.holdID == held.id)
            #expect(availability.available == 40 - 5 + 6)
            #expect(!availability.soldOut)

            // Pin, get, confirm (idempotent), release (idempotent).
            let pinned = try #require(try await client.pinHold(Wire.pin(held.id, "alice", seconds: 300)).hold)
            #expect(pinned.status == .pinned)
            #expect(pinned.pinnedUntil?.date == bed.clock.now.adding(.seconds(300)))
            #expect(try await client.getHold(Wire.getHold(held.id)).hold?.status == .pinned)
            let confirmed = try await client.confirmHold(Wire.confirm(held.id, "alice", order: "order-1"))
            #expect(confirmed.hold?.status == .confirmed)
            #expect(confirmed.hold?.orderReference == "order-1")
            let sale = try #require(confirmed.sale)
            #expect(sale.holdID == held.id)
            #expect(sale.seatIds == [1, 2])
            #expect(sale.totalPrice == Wire.money(20_000))
            #expect(sale.orderReference == "order-1")
            #expect(sale.eventID == event.id)
            let again = try await client.confirmHold(Wire.confirm(held.id, "alice", order: "order-1"))
            #expect(again.sale?.id == sale.id)
            let released = try #require(try await client.releaseHold(Wire.release(best.id, "bob")).hold)
            #expect(released.status == .released)
            #expect(try await client.releaseHold(Wire.release(best.id, "bob")).hold?.status == .released)

            let after = try await client.getAvailability(Wire.availability(event.id))
            #expect(after.sections.map(\.sold) == [2, 0])
            #expect(after.sections.map(\.held) == [0, 0])
            #expect(after.seats.isEmpty)
            #expect(try await bed.count("SELECT count(*) FROM sold_seats WHERE event_id = $1", [event.id]) == 2)

            let consistency = try await client.checkConsistency(Wire.consistency(event.id))
            #expect(consistency.store == (kind == .redis ? .redis : .postgres))
            #expect(consistency.consistent)
            #expect(consistency.drifts.isEmpty)
        }
    }

    @Test("sold out is RESOURCE_EXHAUSTED with nothing held", arguments: HoldStoreBehaviourTests.stores)
    func soldOut(kind: HoldStoreKind) async throws {
        try await GRPCTestBed.run(kind) { client, bed in
            let create = Wire.createEvent(saleStartsAt: bed.clock.now.adding(.seconds(-60)),
                                          map: Wire.seatMap(rows: 1, seatsPerRow: 2, gaCapacity: 3))
            let event = try #require(try await client.createEvent(create).event)
            _ = try await client.holdSeats(Wire.holdGA(event.id, "a", quantity: 3))
            _ = try await client.holdSeats(Wire.holdBest(event.id, "a", quantity: 2, section: "FLOOR"))
            _ = try await client.holdSeats(Wire.holdBest(event.id, "b", quantity: 2, section: "BALC"))
            await expectStatus(.resourceExhausted) { try await client.holdSeats(Wire.holdGA(event.id, "c", quantity: 1)) }
            await expectStatus(.resourceExhausted) { try await client.holdSeats(Wire.holdBest(event.id, "c", quantity: 1)) }
            await expectStatus(.resourceExhausted) { try await client.holdSeats(Wire.hold(event.id, "c", seats: [1])) }
            let availability = try await client.getAvailability(Wire.availability(event.id))
            #expect(availability.soldOut)
            #expect(availability.available == 0)
        }
    }
}
