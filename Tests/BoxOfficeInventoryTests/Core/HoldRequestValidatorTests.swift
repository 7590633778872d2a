import Foundation
import Testing
import BoxOfficeInventory

@Suite("Hold request validation")
struct HoldRequestValidatorTests {
    let validator = HoldRequestValidator()
    let now = Fixtures.epoch.adding(.seconds(5))

    func request(_ selection: HoldSelection, holder: String = "alice", ttl: Duration? = nil) -> HoldRequest {
        HoldRequest(eventID: 7, holderID: holder, selection: selection, ttl: ttl, idempotencyKey: "k1")
    }

    @Test("a good specific-seat request becomes a sorted plan with the event's TTL")
    func specific() throws {
        let plan = try validator.validate(request(.specificSeats([9, 3, 4])), for: Fixtures.event(), now: now)
        #expect(plan.target == .seats([3, 4, 9]))
        #expect(plan.quantity == 3)
        #expect(plan.ttl == .seconds(600))
        #expect(plan.expiresAt == now.adding(.seconds(600)))
        #expect(plan.holderCap == 6)
    }

    @Test("best-available and GA requests resolve rows and pools")
    func otherForms() throws {
        let best = try validator.validate(request(.bestAvailable(quantity: 2, sectionCode: "", priceTier: "B"), ttl: .seconds(30)),
                                          for: Fixtures.event(), now: now)
        guard case .bestAvailable(2, let rows) = best.target else { Issue.record("wrong target"); return }
        #expect(rows.count == 4)
        #expect(best.ttl == .seconds(30))
        let ga = try validator.validate(request(.generalAdmission(poolCode: "PIT", quantity: 4)), for: Fixtures.event(), now: now)
        #expect(ga.target == .generalAdmission(pool: GeneralAdmissionPoolSpec(code: "PIT", priceTier: "B", capacity: 50),
                                               quantity: 4))
    }

    static let refusals: [(HoldSelection, String, Duration?, InventoryError)] = [
        (.specificSeats([1, 2, 1, 3, 2]), "alice", nil, .invalidArgument("seat ids repeated in one request: 1, 2")),
        (.specificSeats([]), "alice", nil, .invalidArgument("specific_seats lists no seats")),
        (.specificSeats([1, 99, 0]), "alice", nil, .notFound("event 7 has no seat 99, 0")),
        (.specificSeats([1, 2, 3, 4, 5, 6, 7]), "alice", nil,
         .invalidArgument("quantity 7 is over the cap of 6 tickets per holder")),
        (.specificSeats([1]), "", nil, .invalidArgument("holder_id must be 1-128 bytes")),
        (.specificSeats([1]), "alice", .milliseconds(10), .invalidArgument("ttl 0.01 seconds is outside 1.0 seconds...3600.0 seconds")),
        (.specificSeats([1]), "alice", .seconds(7_200), .invalidArgument("ttl 7200.0 seconds is outside 1.0 seconds...3600.0 seconds")),
        (.bestAvailable(quantity: 0, sectionCode: "FLOOR", priceTier: nil), "alice", nil,
         .invalidArgument("quantity 0 must be at least 1")),
        (.bestAvailable(quantity: -2, sectionCode: nil, priceTier: nil), "alice", nil,
         .invalidArgument("quantity -2 must be at least 1")),
        (.bestAvailable(quantity: 2, sectionCode: "NOPE", priceTier: nil), "alice", nil,
         .notFound("event 7 has no section \"NOPE\"")),
        (.bestAvailable(quantity: 2, sectionCode: nil, priceTier: "VIP"), "alice", nil,
         .notFound("event 7 has no price tier \"VIP\"")),
        (.bestAvailable(quantity: 2, sectionCode: "FLOOR", priceTier: "Z"), "alice", nil,
         .notFound("event 7 has no price tier \"Z\"")),
        (.generalAdmission(poolCode: "NOPE", quantity: 1), "alice", nil,
         .notFound("event 7 has no general-admission pool \"NOPE\"")),
        (.generalAdmission(poolCode: "PIT", quantity: 0), "alice", nil, .invalidArgument("quantity 0 must be at least 1")),
    ]

    @Test("bad requests get the right status and a message saying what was wrong", arguments: refusals)
    func refuses(selection: HoldSelection, holder: String, ttl: Duration?, expected: InventoryError) throws {
        let event = try Fixtures.event()
        #expect(throws: expected) { try validator.validate(request(selection, holder: holder, ttl: ttl), for: event, now: now) }
    }

    @Test("a row too short for the block is INVALID_ARGUMENT; without a cap the per-request limit applies")
    func shortRows() throws {
        let uncapped = try Fixtures.event(cap: 0)
        #expect(throws: InventoryError.invalidArgument("no row in section BALC has 7 seats")) {
            try validator.validate(request(.bestAvailable(quantity: 7, sectionCode: "BALC", priceTier: nil)),
                                   for: uncapped, now: now)
        }
        #expect(throws: InventoryError.invalidArgument("quantity 101 is over the limit of 100 per request")) {
            try validator.validate(request(.generalAdmission(poolCode: "PIT", quantity: 101)), for: uncapped, now: now)
        }
    }

    @Test("holds before the sale starts are FAILED_PRECONDITION")
    func saleNotStarted() throws {
        let event = try Fixtures.event(saleStartsAt: now.adding(.seconds(1)))
        let error = #expect(throws: InventoryError.self) {
            try validator.validate(request(.specificSeats([1])), for: event, now: now)
        }
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message.hasPrefix("the sale for event 7 starts at ") == true)
    }

    @Test("the holder cap counts what the holder already has")
    func cap() throws {
        try HolderCap.check(holderID: "alice", eventID: 7, current: 4, adding: 2, cap: 6)
        try HolderCap.check(holderID: "alice", eventID: 7, current: 400, adding: 2, cap: 0)
        #expect(throws: InventoryError.resourceExhausted(
            "holder alice already holds or owns 5 of at most 6 tickets for event 7; 2 more would pass the cap")) {
            try HolderCap.check(holderID: "alice", eventID: 7, current: 5, adding: 2, cap: 6)
        }
    }
}
