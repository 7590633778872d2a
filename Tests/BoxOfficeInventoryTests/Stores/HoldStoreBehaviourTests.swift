import Foundation
import Testing
import BoxOfficeInventory

/// The same behaviour, checked against each hold store on real servers.
@Suite("Hold store behaviour")
struct HoldStoreBehaviourTests {
    static let stores: [HoldStoreKind] = [.postgres, .redis]

    @Test("specific seats: all or nothing; conflicts, cap and idempotent retries", arguments: stores)
    func specificSeats(kind: HoldStoreKind) async throws {
        try await TestBed.run(kind) { bed in
            let event = try await bed.createEvent(cap: 4)
            let inventory = bed.inventory
            let first = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "alice",
                                                                  selection: .specificSeats([3, 1, 2]), idempotencyKey: "a1"))
            #expect(first.seats.map(\.id) == [1, 2, 3])
            #expect(first.seats.allSatisfy { $0.status == .held && $0.holdID == first.id })
            #expect(first.status == .active)
            #expect(first.totalPrice == Money(amountMinor: 30_000, currency: "USD"))
            #expect(first.expiresAt == bed.clock.now.adding(.seconds(60)))
            let retry = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "alice",
                                                                  selection: .specificSeats([3, 1, 2]), idempotencyKey: "a1"))
            #expect(retry.id == first.id)
            #expect(retry.seats.map(\.id) == [1, 2, 3])
            // Overlapping request: nothing taken, seat 4 stays free.
            let conflict = await #expect(throws: InventoryError.self) {
                try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "bob", selection: .specificSeats([4, 3])))
            }
            #expect(conflict?.code == .resourceExhausted)
            #expect(conflict?.message == "seats not available: 3")
            let capped = await #expect(throws: InventoryError.self) {
                try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "alice", selection: .specificSeats([4, 5])))
            }
            #expect(capped?.code == .resourceExhausted)
            let bob = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "bob", selection: .specificSeats([4])))
            #expect(bob.seats.map(\.id) == [4])
            let availability = try await inventory.availability(eventID: event.id, sectionCode: "FLOOR")
            #expect(availability.sections.map(\.held) == [4, 0])
            #expect(availability.seats.count == 20)
            #expect(availability.seats.filter { $0.status == .held }.map(\.id) == [1, 2, 3, 4])
            #expect(availability.available == 40 - 4 + 20)
            let unknown = await #expect(throws: InventoryError.self) {
                try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "bob", selection: .specificSeats([41])))
            }
            #expect(unknown?.code == .notFound)
            let noEvent = await #expect(throws: InventoryError.self) {
                try await inventory.holdSeats(HoldRequest(eventID: event.id + 99, holderID: "bob", selection: .specificSeats([1])))
            }
            #expect(noEvent?.code == .notFound)
        }
    }

    @Test("best available picks the centre of the front row; GA counts against capacity", arguments: stores)
    func bestAndGA(kind: HoldStoreKind) async throws {
        try await TestBed.run(kind) { bed in
            let event = try await bed.createEvent(rows: 2, seatsPerRow: 10, gaCapacity: 5)
            let inventory = bed.inventory
            let best = try await inventory.holdSeats(HoldRequest(
                eventID: event.id, holderID: "alice", selection: .bestAvailable(quantity: 2, sectionCode: "FLOOR", priceTier: nil)))
            #expect(best.seats.map(\.id) == [5, 6])
            let next = try await inventory.holdSeats(HoldRequest(
                eventID: event.id, holderID: "bob", selection: .bestAvailable(quantity: 4, sectionCode: nil, priceTier: "A")))
            #expect(next.seats.map(\.id) == [1, 2, 3, 4])
            let tooMany = await #expect(throws: InventoryError.self) {
                try await inventory.holdSeats(HoldRequest(
                    eventID: event.id, holderID: "carol", selection: .bestAvailable(quantity: 5, sectionCode: "FLOOR", priceTier: nil)))
            }
            #expect(tooMany?.code == .resourceExhausted)
            let ga = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "alice",
                                                               selection: .generalAdmission(poolCode: "PIT", quantity: 3)))
            #expect(ga.gaQuantity == 3)
            #expect(ga.gaPoolCode == "PIT")
            #expect(ga.totalPrice.amountMinor == 12_000)
            let soldOut = await #expect(throws: InventoryError.self) {
                try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "bob",
                                                          selection: .generalAdmission(poolCode: "PIT", quantity: 3)))
            }
            #expect(soldOut?.code == .resourceExhausted)
            #expect(soldOut?.message == "only 2 units left in pool PIT")
            let pools = try await inventory.availability(eventID: event.id).pools
            #expect(pools.map(\.held) == [3])
            #expect(pools.map(\.available) == [2])
        }
    }

    @Test("confirm sells once, release is idempotent, pin keeps a hold past its TTL", arguments: stores)
    func confirmReleasePin(kind: HoldStoreKind) async throws {
        try await TestBed.run(kind) { bed in
            let event = try await bed.createEvent(cap: 6)
            let inventory = bed.inventory
            let hold = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "alice", selection: .specificSeats([7, 8])))
            let wrong = await #expect(throws: InventoryError.self) {
                try await inventory.confirmHold(holdID: hold.id, holderID: "mallory", orderReference: "o1")
            }
            #expect(wrong?.code == .failedPrecondition)
            let (sold, sale) = try await inventory.confirmHold(holdID: hold.id, holderID: "alice", orderReference: "o1")
            #expect(sold.status == .confirmed)
            #expect(sale.seatIDs == [7, 8])
            #expect(sale.orderReference == "o1")
            let (again, sameSale) = try await inventory.confirmHold(holdID: hold.id, holderID: "alice", orderReference: "o1")
            #expect(again.status == .confirmed)
            #expect(sameSale.id == sale.id)
            #expect(try await bed.count("SELECT count(*) FROM sold_seats WHERE event_id = $1", [event.id]) == 2)
            #expect(try await bed.count("SELECT count(*) FROM seats WHERE event_id = $1 AND status = 'sold'", [event.id]) == 2)
            let releaseSold = await #expect(throws: InventoryError.self) {
                try await inventory.releaseHold(holdID: hold.id, holderID: "alice")
            }
            #expect(releaseSold?.code == .failedPrecondition)

            let second = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "alice",
                                                                   selection: .generalAdmission(poolCode: "PIT", quantity: 2)))
            let released = try await inventory.releaseHold(holdID: second.id, holderID: "alice")
            #expect(released.status == .released)
            let releasedAgain = try await inventory.releaseHold(holdID: second.id, holderID: "alice")
            #expect(releasedAgain.status == .released)
            #expect(try await inventory.availability(eventID: event.id).pools.map(\.available) == [20])
            let late = await #expect(throws: InventoryError.self) {
                try await inventory.confirmHold(holdID: second.id, holderID: "alice", orderReference: "o2")
            }
            #expect(late?.code == .failedPrecondition)
            // Cap counts owned tickets: 2 sold + 4 more = 6 is fine, 5 more is not.
            let capped = await #expect(throws: InventoryError.self) {
                try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "alice",
                                                          selection: .generalAdmission(poolCode: "PIT", quantity: 5)))
            }
            #expect(capped?.code == .resourceExhausted)

            let pinned = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "alice",
                                                                   selection: .specificSeats([9])))
            let afterPin = try await inventory.pinHold(holdID: pinned.id, holderID: "alice", pinFor: .seconds(300))
            #expect(afterPin.status == .pinned)
            #expect(afterPin.pinnedUntil == bed.clock.now.adding(.seconds(300)))
            bed.clock.advance(.seconds(120))
            #expect(try await inventory.sweepExpiredHolds().isEmpty)
            let (pinnedSold, _) = try await inventory.confirmHold(holdID: pinned.id, holderID: "alice", orderReference: "o3")
            #expect(pinnedSold.status == .confirmed)
            let fetched = try await inventory.hold(pinned.id)
            #expect(fetched.status == .confirmed)
            #expect(fetched.orderReference == "o3")
            let missing = await #expect(throws: InventoryError.self) { try await inventory.hold("e\(event.id)-nope") }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("expiry: unpinned holds are released after their TTL, pinned ones kept until their pin", arguments: stores)
    func expiry(kind: HoldStoreKind) async throws {
        try await TestBed.run(kind) { bed in
            let event = try await bed.createEvent(ttl: .seconds(30))
            let inventory = bed.inventory
            let short = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "alice", selection: .specificSeats([1, 2])))
            let ga = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "bob",
                                                               selection: .generalAdmission(poolCode: "PIT", quantity: 4)))
            let kept = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "carol", selection: .specificSeats([3])))
            _ = try await inventory.pinHold(holdID: kept.id, holderID: "carol", pinFor: .seconds(90))
            bed.clock.advance(.seconds(29))
            #expect(try await inventory.sweepExpiredHolds().isEmpty)
            bed.clock.advance(.seconds(1))
            #expect(Set(try await inventory.sweepExpiredHolds()) == [short.id, ga.id])
            #expect(try await inventory.hold(short.id).status == .expired)
            #expect(try await inventory.hold(kept.id).status == .pinned)
            // Released seats are holdable again at once.
            let again = try await inventory.holdSeats(HoldRequest(eventID: event.id, holderID: "dave", selection: .specificSeats([1, 2])))
            #expect(again.seats.map(\.id) == [1, 2])
            let expiredConfirm = await #expect(throws: InventoryError.self) {
                try await inventory.confirmHold(holdID: short.id, holderID: "alice", orderReference: "o")
            }
            #expect(expiredConfirm?.code == .failedPrecondition)
            bed.clock.advance(.seconds(60))
            #expect(Set(try await inventory.sweepExpiredHolds()) == [kept.id, again.id])
            #expect(try await inventory.hold(kept.id).status == .expired)
            let availability = try await inventory.availability(eventID: event.id)
            #expect(availability.available == 40 + 20)
        }
    }
}
