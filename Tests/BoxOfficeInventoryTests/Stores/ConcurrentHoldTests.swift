import Foundation
import Testing
import BoxOfficeHarness
import BoxOfficeInventory

/// 64 clients race for the same 1,000 seats and 1,000 GA units in each store, with idempotent
/// retries, confirms and releases mixed in; afterwards the invariants are checked against the
/// database and the store.
@Suite("Concurrent holds")
struct ConcurrentHoldTests {
    struct Outcome: Sendable {
        var live: [Hold] = []        // held at the end
        var sold: [Hold] = []        // confirmed
        var released: [Hold] = []
        var retries = 0
        var refusals = 0
    }

    @Test("no seat or unit is held or sold twice; answers match the database", arguments: HoldStoreBehaviourTests.stores)
    func race(kind: HoldStoreKind) async throws {
        try await TestBed.run(kind, connections: 16) { bed in
            let cap = 8
            let event = try await bed.createEvent(rows: 25, seatsPerRow: 40, gaCapacity: 1_000, cap: cap, ttl: .seconds(600))
            #expect(event.seatCount == 1_000)
            let inventory = bed.inventory
            let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
                for client in 0..<64 {
                    group.addTask {
                        try await Self.client(client, event: event, inventory: inventory)
                    }
                }
                var all: [Outcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            let live = outcomes.flatMap(\.live)
            let sold = outcomes.flatMap(\.sold)
            #expect(outcomes.map(\.retries).reduce(0, +) > 0)
            #expect(!sold.isEmpty)

            // No seat held or sold twice among the answers.
            let keptSeats = (live + sold).flatMap { $0.seats.map(\.id) }
            #expect(Set(keptSeats).count == keptSeats.count)
            // Sold ≤ capacity and the database agrees with every answer.
            let soldSeatIDs = Set(sold.flatMap { $0.seats.map(\.id) })
            #expect(try await bed.count("SELECT count(*) FROM sold_seats WHERE event_id = $1", [event.id]) == soldSeatIDs.count)
            #expect(try await bed.count("SELECT count(*) FROM seats WHERE event_id = $1 AND status = 'sold'", [event.id])
                == soldSeatIDs.count)
            for hold in sold where !hold.seats.isEmpty {
                let matching = try await bed.count("""
                    SELECT count(*) FROM seats WHERE event_id = $1 AND hold_id = $2 AND status = 'sold'
                    """, [event.id, hold.id])
                #expect(matching == hold.seats.count, "hold \(hold.id)")
            }
            let gaSold = sold.map(\.gaQuantity).reduce(0, +)
            let gaLive = live.map(\.gaQuantity).reduce(0, +)
            #expect(try await bed.count("SELECT sold FROM ga_pools WHERE event_id = $1", [event.id]) == gaSold)
            #expect(gaSold + gaLive <= 1_000)
            // The store's own view matches the answers.
            let availability = try await inventory.availability(eventID: event.id)
            #expect(availability.sections.map(\.sold).reduce(0, +) == soldSeatIDs.count)
            #expect(availability.sections.map(\.held).reduce(0, +) == live.map(\.seats.count).reduce(0, +))
            #expect(availability.pools.first?.held == gaLive)
            #expect(availability.pools.first?.sold == gaSold)
            for hold in live {
                let stored = try await inventory.hold(hold.id)
                #expect(stored.status == .active)
                #expect(stored.seats.map(\.id) == hold.seats.map(\.id))
                #expect(stored.gaQuantity == hold.gaQuantity)
            }
            // Holder cap: nobody holds or owns more than the cap.
            var perHolder: [String: Int] = [:]
            for hold in live + sold { perHolder[hold.holderID, default: 0] += hold.quantity }
            #expect(perHolder.values.allSatisfy { $0 <= cap }, "\(perHolder)")
            #expect(try await inventory.checkConsistency(eventID: event.id).isEmpty)
        }
    }

    /// One racing client: 20 bounded steps of hold (specific, best available or GA), an optional
    /// idempotent retry, then confirm, release or keep. With `disrupt`, client 0 runs it at step 10
    /// and lost holds (NOT_FOUND) and fresh holds on retry are tolerated.
    static func client(_ client: Int, event: Event, inventory: Inventory,
                       disrupt: (@Sendable () async throws -> Void)? = nil) async throws -> Outcome {
        var random = SplitMix64(seed: UInt64(client) &* 7_919 &+ 1)
        var outcome = Outcome()
        let holder = "holder-\(client % 16)"
        for step in 0..<20 {
            if client == 0, step == 10, let disrupt { try await disrupt() }
            let quantity = Int(random.next() % 4) + 1
            let selection: HoldSelection
            switch random.next() % 4 {
            case 0, 1:
                let start = Int64(random.next() % 997) + 1
                selection = .specificSeats((0..<Int64(quantity)).map { start + $0 }.filter { $0 <= 1_000 })
            case 2:
                let sections: [String?] = [nil, "FLOOR", "BALC"]
                selection = .bestAvailable(quantity: quantity, sectionCode: sections[Int(random.next() % 3)], priceTier: nil)
            default:
                selection = .generalAdmission(poolCode: "PIT", quantity: quantity)
            }
            let request = HoldRequest(eventID: event.id, holderID: holder, selection: selection,
                                      idempotencyKey: "c\(client)-\(step)")
            let hold: Hold
            do {
                hold = try await inventory.holdSeats(request)
            } catch {
                // Lost races: taken seats, sold out, the cap, or (PostgreSQL) best seats kept changing.
                guard error.code == .resourceExhausted || error.code == .aborted else { throw error }
                outcome.refusals += 1
                continue
            }
            if random.next() % 3 == 0, disrupt == nil {
                let again = try await inventory.holdSeats(request)
                #expect(again.id == hold.id)
                #expect(again.seats.map(\.id) == hold.seats.map(\.id))
                outcome.retries += 1
            }
            do {
                switch random.next() % 10 {
                case 0..<4:
                    let (sold, _) = try await inventory.confirmHold(holdID: hold.id, holderID: holder,
                                                                    orderReference: "o-\(hold.id)")
                    outcome.sold.append(sold)
                case 4..<7:
                    outcome.released.append(try await inventory.releaseHold(holdID: hold.id, holderID: holder))
                default:
                    outcome.live.append(hold)
                }
            } catch {
                // After Redis lost its data, holds made before the loss are gone (NOT_FOUND), and a hold
                // Redis granted from a stale rebuild is refused by PostgreSQL's conditional update at
                // confirm (FAILED_PRECONDITION): both fail safe.
                guard disrupt != nil, error.code == .notFound || error.code == .failedPrecondition else { throw error }
                outcome.refusals += 1
            }
        }
        return outcome
    }
}
