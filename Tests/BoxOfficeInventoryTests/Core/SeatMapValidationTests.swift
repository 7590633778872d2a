import Testing
import BoxOfficeInventory

@Suite("Seat map validation and expansion")
struct SeatMapValidationTests {
    @Test("expands sections × rows × seats with ids, positions, numbers and tiers")
    func expands() throws {
        let layout = try EventLayout(validating: Fixtures.seatMap)
        #expect(layout.seatCount == 38)
        #expect(layout.gaCapacity == 50)
        #expect(layout.rows.map(\.firstSeatID) == [1, 11, 21, 27, 33])
        #expect(layout.rows.map(\.priceTier) == ["A", "B", "B", "B", "B"])
        let seats = Array(layout.seats)
        #expect(seats.count == 38)
        #expect(seats.map(\.id) == Array(1...38))
        #expect(seats[0] == LayoutSeat(id: 1, sectionCode: "FLOOR", row: "A", number: 1, position: 0, priceTier: "A"))
        #expect(seats[20] == LayoutSeat(id: 21, sectionCode: "BALC", row: "1", number: 101, position: 0, priceTier: "B"))
        #expect(layout.seat(26)?.number == 106)
        #expect(layout.seat(27) == LayoutSeat(id: 27, sectionCode: "BALC", row: "2", number: 1, position: 0, priceTier: "B"))
        for seat in seats { #expect(layout.seat(seat.id) == seat) }
        #expect(layout.seat(0) == nil)
        #expect(layout.seat(39) == nil)
        #expect(layout.rows(sectionCode: nil, priceTier: "B").count == 4)
        #expect(layout.rows(sectionCode: "FLOOR", priceTier: "A").map(\.label) == ["A"])
        #expect(layout.price(ofTier: "B") == Fixtures.usd(5_000))
    }

    @Test("expands a 100,000-seat map")
    func largeMap() throws {
        let sections = (0..<50).map { section in
            SectionSpec(code: "S\(section)", priceTier: "A",
                        rows: (0..<50).map { RowSpec(label: "R\($0)", seatCount: 40) })
        }
        let layout = try EventLayout(validating: SeatMap(priceTiers: [PriceTier(code: "A", price: Fixtures.usd(1))],
                                                         sections: sections))
        #expect(layout.seatCount == 100_000)
        #expect(layout.seat(100_000) == LayoutSeat(id: 100_000, sectionCode: "S49", row: "R49", number: 40,
                                                   position: 39, priceTier: "A"))
        #expect(layout.seats.reduce(0) { count, _ in count + 1 } == 100_000)
    }

    static let malformed: [(String, @Sendable (inout SeatMap) -> Void)] = [
        ("duplicate section code \"FLOOR\"", { $0.sections[1].code = "FLOOR" }),
        ("duplicate price tier code \"A\"", { $0.priceTiers[1].code = "A" }),
        ("duplicate row label \"A\" in section FLOOR", { $0.sections[0].rows[1].label = "A" }),
        ("duplicate general-admission pool code", { $0.gaPools.append($0.gaPools[0]) }),
        ("also a section code", { $0.gaPools[0].code = "BALC" }),
        ("uses unknown price tier \"VIP\"", { $0.sections[0].rows[0].priceTier = "VIP" }),
        ("uses unknown price tier \"Z\"", { $0.gaPools[0].priceTier = "Z" }),
        ("has seat_count 0", { $0.sections[1].rows[2].seatCount = 0 }),
        ("has seat_count -3", { $0.sections[1].rows[2].seatCount = -3 }),
        ("has capacity 0", { $0.gaPools[0].capacity = 0 }),
        ("has capacity -1", { $0.gaPools[0].capacity = -1 }),
        ("has first_number -1", { $0.sections[0].rows[0].firstNumber = -1 }),
        ("has 5000 seats; at most 1000", { $0.sections[0].rows[0].seatCount = 5_000 }),
        ("has no rows", { $0.sections[0].rows = [] }),
        ("has no price tiers", { $0.priceTiers = [] }),
        ("neither sections nor general-admission pools", { $0.sections = []; $0.gaPools = [] }),
        ("section code is empty", { $0.sections[0].code = "" }),
        ("section code \"A B\" is invalid", { $0.sections[0].code = "A B" }),
        ("negative price", { $0.priceTiers[0].price.amountMinor = -1 }),
        ("use one currency per event", { $0.priceTiers[1].price.currency = "EUR" }),
        ("upper-case ISO 4217", { $0.priceTiers[0].price.currency = "usd" }),
        ("has no price tier (set it", { $0.sections[0].priceTier = "" }),
    ]

    @Test("refuses malformed maps with INVALID_ARGUMENT and a message naming the problem",
          arguments: malformed)
    func refuses(_ expected: String, _ mutate: @Sendable (inout SeatMap) -> Void) {
        var map = Fixtures.seatMap
        mutate(&map)
        let error = #expect(throws: InventoryError.self) { try EventLayout(validating: map) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "") lacks \(expected)")
    }

    @Test("refuses a map over the seat limit")
    func tooLarge() {
        var limits = SeatMapLimits()
        limits.maxSeats = 30
        let error = #expect(throws: InventoryError.self) { try EventLayout(validating: Fixtures.seatMap, limits: limits) }
        #expect(error?.message == "seat map has more than 30 seats")
    }

    @Test("event drafts check name, TTL, cap and the map")
    func drafts() throws {
        let good = EventDraft(name: "Show", saleStartsAt: Fixtures.epoch, seatMap: Fixtures.seatMap)
        #expect(try good.validated().holdTTL == .seconds(600))
        var bad = good
        bad.holdTTL = .seconds(99_999)
        #expect(throws: InventoryError.invalidArgument("hold_ttl 99999.0 seconds is outside 1.0 seconds...3600.0 seconds")) {
            try bad.validated()
        }
        bad = good
        bad.maxTicketsPerHolder = -1
        #expect(throws: InventoryError.self) { try bad.validated() }
        bad = good
        bad.name = ""
        #expect(throws: InventoryError.invalidArgument("event name must be 1-200 bytes")) { try bad.validated() }
    }

    @Test("errors map onto gRPC status codes")
    func statusCodes() {
        #expect(InventoryError.Code.invalidArgument.grpcStatusCode == 3)
        #expect(InventoryError.Code.notFound.grpcStatusCode == 5)
        #expect(InventoryError.Code.alreadyExists.grpcStatusCode == 6)
        #expect(InventoryError.Code.resourceExhausted.grpcStatusCode == 8)
        #expect(InventoryError.Code.failedPrecondition.grpcStatusCode == 9)
        #expect(InventoryError.Code.unavailable.grpcStatusCode == 14)
    }
}
