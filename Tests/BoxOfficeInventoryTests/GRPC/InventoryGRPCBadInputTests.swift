import Foundation
import Testing
import BoxOfficeAPI
import BoxOfficeInventory
import BoxOfficeRPC

/// Bad input through the gRPC face: the right status, a message that says what was wrong, and
/// nothing changed (availability, sales and events are compared before and after).
@Suite("Inventory gRPC bad input")
struct InventoryGRPCBadInputTests {
    @Test("CreateEvent: malformed maps, missing fields and a reused key", arguments: HoldStoreBehaviourTests.stores)
    func createEvent(kind: HoldStoreKind) async throws {
        try await GRPCTestBed.run(kind) { client, bed in
            let start = bed.clock.now.adding(.seconds(-60))
            let first = Wire.createEvent(saleStartsAt: start, key: "same-key")
            _ = try await client.createEvent(first)
            let events = try await bed.count("SELECT count(*) FROM events")

            var noMapDraft = Wire.createEvent(saleStartsAt: start)
            noMapDraft.seatMap = nil
            let noMap = noMapDraft
            let message1 = await expectStatus(.invalidArgument) { try await client.createEvent(noMap) }
            #expect(message1 == "seat_map is required")

            var noPriceMap = Wire.seatMap()
            noPriceMap.priceTiers[1].price = nil
            let noPrice = noPriceMap
            let message2 = await expectStatus(.invalidArgument) {
                try await client.createEvent(Wire.createEvent(saleStartsAt: start, map: noPrice))
            }
            #expect(message2 == "price tier B has no price")

            var duplicateSectionMap = Wire.seatMap()
            duplicateSectionMap.sections[1].code = "FLOOR"
            let duplicateSection = duplicateSectionMap
            let duplicate = await expectStatus(.invalidArgument) {
                try await client.createEvent(Wire.createEvent(saleStartsAt: start, map: duplicateSection))
            }
            #expect(duplicate?.contains("duplicate section code") == true)

            var zeroSeatsMap = Wire.seatMap()
            zeroSeatsMap.sections[0].rows[0].seatCount = 0
            let zeroSeats = zeroSeatsMap
            let message3 = await expectStatus(.invalidArgument) {
                try await client.createEvent(Wire.createEvent(saleStartsAt: start, map: zeroSeats))
            }
            #expect(message3?.contains("seat_count 0") == true)

            var unknownTierMap = Wire.seatMap()
            unknownTierMap.gaPools[0].priceTier = "Z"
            let unknownTier = unknownTierMap
            await expectStatus(.invalidArgument) { try await client.createEvent(Wire.createEvent(saleStartsAt: start, map: unknownTier)) }

            let message4 = await expectStatus(.invalidArgument) {
                try await client.createEvent(Wire.createEvent(saleStartsAt: start, ttlSeconds: 0))
            }
            #expect(message4?.contains("hold_ttl") == true)

            var badDurationDraft = Wire.createEvent(saleStartsAt: start)
            badDurationDraft.holdTtl = Wire.duration(seconds: 5, nanos: -1)
            let badDuration = badDurationDraft
            let message5 = await expectStatus(.invalidArgument) { try await client.createEvent(badDuration) }
            #expect(message5?.contains("hold_ttl") == true)

            var unnamedDraft = Wire.createEvent(saleStartsAt: start)
            unnamedDraft.name = ""
            let unnamed = unnamedDraft
            await expectStatus(.invalidArgument) { try await client.createEvent(unnamed) }

            var reusedDraft = Wire.createEvent(saleStartsAt: start, key: "same-key")
            reusedDraft.name = "Another show"
            let reused = reusedDraft
            let message6 = await expectStatus(.alreadyExists) { try await client.createEvent(reused) }
            #expect(message6?.contains("same-key") == true)

            #expect(try await bed.count("SELECT count(*) FROM events") == events)
            #expect(try await bed.count("SELECT count(*) FROM seats") == 40)
        }
    }

    @Test("HoldSeats, ConfirmHold, ReleaseHold, PinHold, GetHold, GetEvent, GetAvailability: bad input changes nothing",
          arguments: HoldStoreBehaviourTests.stores)
    func holds(kind: HoldStoreKind) async throws {
        try await GRPCTestBed.run(kind) { client, bed in
            let event = try #require(try await client.createEvent(
                Wire.createEvent(saleStartsAt: bed.clock.now.adding(.seconds(-60)), cap: 4)).event)
            let later = try #require(try await client.createEvent(
                Wire.createEvent(saleStartsAt: bed.clock.now.adding(.seconds(3_600)))).event)
            let held = try #require(try await client.holdSeats(Wire.hold(event.id, "alice", seats: [1, 2])).hold)
            let before = try await client.getAvailability(Wire.availability(event.id, section: "FLOOR"))
            let id = event.id

            // Unknown things.
            await expectStatus(.notFound) { try await client.getEvent(Wire.event(999_999)) }
            await expectStatus(.notFound) { try await client.getAvailability(Wire.availability(999_999)) }
            let message7 = await expectStatus(.notFound) { try await client.getAvailability(Wire.availability(id, section: "NOPE")) }
            #expect(message7?
                .contains("NOPE") == true)
            await expectStatus(.notFound) { try await client.holdSeats(Wire.hold(999_999, "bob", seats: [1])) }
            let message8 = await expectStatus(.notFound) { try await client.holdSeats(Wire.hold(id, "bob", seats: [5, 41])) }
            #expect(message8?
                .contains("41") == true)
            await expectStatus(.notFound) { try await client.holdSeats(Wire.holdBest(id, "bob", quantity: 1, section: "NOPE")) }
            await expectStatus(.notFound) { try await client.holdSeats(Wire.holdGA(id, "bob", quantity: 1, pool: "NOPE")) }
            await expectStatus(.notFound) { try await client.getHold(Wire.getHold("not-a-hold")) }
            await expectStatus(.notFound) { try await client.confirmHold(Wire.confirm("not-a-hold", "alice", order: "o")) }

            // Malformed requests.
            var noSelectionDraft = Wire.hold(id, "bob", seats: [5])
            noSelectionDraft.selection = nil
            let noSelection = noSelectionDraft
            let message9 = await expectStatus(.invalidArgument) { try await client.holdSeats(noSelection) }
            #expect(message9?.contains("selection") == true)
            let message10 = await expectStatus(.invalidArgument) { try await client.holdSeats(Wire.hold(id, "bob", seats: [5, 6, 5])) }
            #expect(message10?
                .contains("repeated") == true)
            await expectStatus(.invalidArgument) { try await client.holdSeats(Wire.hold(id, "bob", seats: [])) }
            await expectStatus(.invalidArgument) { try await client.holdSeats(Wire.hold(id, "", seats: [5])) }
            await expectStatus(.invalidArgument) { try await client.holdSeats(Wire.holdGA(id, "bob", quantity: 0)) }
            await expectStatus(.invalidArgument) { try await client.holdSeats(Wire.holdGA(id, "bob", quantity: -3)) }
            let message11 = await expectStatus(.invalidArgument) { try await client.holdSeats(Wire.holdBest(id, "bob", quantity: 5)) }
            #expect(message11?
                .contains("cap") == true)
            for ttl in [Wire.duration(seconds: 0, nanos: 500_000_000), Wire.duration(seconds: 7_200), Wire.duration(seconds: -5),
                        Wire.duration(seconds: 1, nanos: -1)] {
                var wire = Wire.hold(id, "bob", seats: [5])
                wire.ttl = ttl
                let request = wire
                let message12 = await expectStatus(.invalidArgument) { try await client.holdSeats(request) }
                #expect(message12?.contains("ttl") == true)
            }
            await expectStatus(.invalidArgument) { try await client.getHold(Wire.getHold("")) }
            await expectStatus(.invalidArgument) { try await client.confirmHold(Wire.confirm(held.id, "alice", order: "")) }
            await expectStatus(.invalidArgument) { try await client.confirmHold(Wire.confirm(held.id, "", order: "o")) }
            await expectStatus(.invalidArgument) { try await client.releaseHold(Wire.release("", "alice")) }
            let message13 = await expectStatus(.invalidArgument) { try await client.pinHold(Wire.pin(held.id, "alice", seconds: nil)) }
            #expect(message13 ==
                "pin_for is required")
            await expectStatus(.invalidArgument) { try await client.pinHold(Wire.pin(held.id, "alice", seconds: 100_000)) }

            // The state forbids it.
            let message14 = await expectStatus(.failedPrecondition) { try await client.holdSeats(Wire.hold(later.id, "bob", seats: [1])) }
            #expect(message14?
                .contains("starts at") == true)
            await expectStatus(.failedPrecondition) { try await client.confirmHold(Wire.confirm(held.id, "mallory", order: "o")) }
            await expectStatus(.failedPrecondition) { try await client.releaseHold(Wire.release(held.id, "mallory")) }
            await expectStatus(.failedPrecondition) { try await client.pinHold(Wire.pin(held.id, "mallory", seconds: 60)) }
            await expectStatus(.resourceExhausted) { try await client.holdSeats(Wire.hold(id, "bob", seats: [2, 3])) }

            // Nothing changed.
            let after = try await client.getAvailability(Wire.availability(id, section: "FLOOR"))
            #expect(after == before)
            #expect(try await client.getHold(Wire.getHold(held.id)).hold == held)
            #expect(try await bed.count("SELECT count(*) FROM sold_seats") == 0)
            #expect(try await client.getAvailability(Wire.availability(later.id)).available == 50)

            // Confirm after expiry is refused and sells nothing.
            bed.clock.advance(.seconds(61))
            let message15 = await expectStatus(.failedPrecondition) { try await client.confirmHold(Wire.confirm(held.id, "alice", order: "o")) }
            #expect(message15?
                .isEmpty == false)
            #expect(try await bed.count("SELECT count(*) FROM sold_seats") == 0)
        }
    }
}
