import BoxOfficeCluster
import Testing

/// The crowd's inputs: seeded randomness, mixes, the venue and shopper plans.
@Suite struct DropPlanTests {
    @Test func seededRandomIsRepeatableAndStreamsDiffer() {
        var first = DropRandom(seed: 42, stream: 7)
        var again = DropRandom(seed: 42, stream: 7)
        var other = DropRandom(seed: 42, stream: 8)
        let a = (0..<5).map { _ in first.next() }
        #expect(a == (0..<5).map { _ in again.next() })
        #expect(a != (0..<5).map { _ in other.next() })
    }

    @Test func weightedChoicesFollowTheirWeights() {
        let choices = WeightedChoices([.init("a", weight: 3), .init("never", weight: 0), .init("b", weight: 1)])
        #expect(choices.entries.map(\.choice) == ["a", "b"])
        var random = DropRandom(seed: 1)
        var counts: [String: Int] = [:]
        for _ in 0..<4_000 { counts[choices.draw(using: &random), default: 0] += 1 }
        #expect(counts["never"] == nil)
        // 3:1 within a few percent over 4,000 draws.
        #expect((2_800...3_200).contains(counts["a"] ?? 0))
    }

    @Test func checkoutMixParsesNamesWithOrWithoutPrefix() throws {
        let mix = try CheckoutMix(parsing: "approve=70, tok_decline_card=5,abandon=20,cancel=5")
        #expect(mix.description == "tok_approve=70,tok_decline_card=5,abandon=20,cancel=5")
        #expect(try CheckoutMix(parsing: mix.description) == mix)
        #expect(try CheckoutMix(parsing: CheckoutMix.standard.description) == CheckoutMix.standard)
    }

    @Test(arguments: [
        ("approve", "is not name=weight"),
        ("approve=x", "is not name=weight"),
        ("paypal=3", "unknown checkout choice 'paypal'"),
        ("approve=-1", "negative"),
        ("approve=1,tok_approve=2", "appears twice"),
        ("approve=0,abandon=0", "at least one positive weight"),
        ("", "at least one positive weight"),
    ])
    func checkoutMixRejectsBadEntries(text: String, message: String) {
        #expect {
            try CheckoutMix(parsing: text)
        } throws: { error in
            (error as? DropConfigurationError)?.message.contains(message) == true
        }
    }

    @Test func venueSplitsSeatsIntoSectionsWithContiguousIDs() {
        let venue = VenuePlan(seatCount: 10_000, generalAdmissionCapacity: 2_000)
        #expect(venue.sections.count == 20)
        #expect(venue.seatCount == 10_000)
        #expect(venue.capacity == 12_000)
        #expect(venue.sections.filter { $0.priceTier == "premium" }.count == 4)
        var expected: Int64 = 1
        for row in venue.sections.flatMap(\.rows) {
            #expect(row.firstSeatID == expected)
            expected += Int64(row.seatCount)
        }
        #expect(expected == 10_001)
        let map = venue.seatMap
        #expect(map.sections.reduce(0) { $0 + $1.rows.reduce(0) { $0 + Int($1.seatCount) } } == 10_000)
        #expect(map.gaPools.map(\.capacity) == [2_000])
        #expect(Set(map.priceTiers.map(\.code)) == ["premium", "standard", "ga"])
    }

    @Test func oddVenuesKeepEverySeat() {
        let small = VenuePlan(seatCount: 101, generalAdmissionCapacity: 0, seatsPerRow: 25, sectionSize: 50)
        #expect(small.seatCount == 101)
        #expect(small.sections.count == 3)
        #expect(small.sections.last?.rows.map(\.seatCount) == [1])
        #expect(small.seatMap.gaPools.isEmpty)
        #expect(!small.seatMap.priceTiers.map(\.code).contains("ga"))
        let gaOnly = VenuePlan(seatCount: 0, generalAdmissionCapacity: 50)
        #expect(gaOnly.sections.isEmpty && gaOnly.capacity == 50)
    }

    @Test func adjacentSeatsLieInOneRow() {
        let venue = VenuePlan(seatCount: 1_000, generalAdmissionCapacity: 0)
        var random = DropRandom(seed: 3)
        for _ in 0..<200 {
            let section = venue.sections.randomElement(using: &random)!
            let seats = venue.adjacentSeats(in: section, quantity: 4, using: &random)!
            #expect(seats.count == 4)
            #expect(zip(seats, seats.dropFirst()).allSatisfy { $1 == $0 + 1 })
            #expect(section.rows.contains { row in
                seats.first! >= row.firstSeatID && seats.last! < row.firstSeatID + Int64(row.seatCount)
            })
        }
        #expect(venue.adjacentSeats(in: venue.sections[0], quantity: 26, using: &random) == nil)
    }

    @Test func shopperPlansAreRepeatableAndBounded() {
        var configuration = DropConfiguration()
        configuration.seed = 9
        let venue = configuration.venue
        let plans = (0..<500).map { ShopperPlan(index: $0, runID: "r", configuration: configuration, venue: venue) }
        #expect(plans == (0..<500).map { ShopperPlan(index: $0, runID: "r", configuration: configuration, venue: venue) })
        #expect(Set(plans.map(\.userID)).count == 500)
        #expect(plans.allSatisfy { $0.holdRequests.count == configuration.maxHoldAttempts })
        #expect(plans.allSatisfy { $0.holdRequests.allSatisfy { (1...4).contains($0.quantity) } })
        // Every kind and choice shows up in a crowd of 500.
        #expect(plans.contains { if case .specificSeats = $0.holdRequests[0] { true } else { false } })
        #expect(plans.contains { if case .generalAdmission = $0.holdRequests[0] { true } else { false } })
        #expect(plans.contains { $0.checkout == .abandon })
        #expect(plans.contains { $0.checkout == .pay(token: "tok_decline_card") })
        #expect(plans.contains(where: \.watchesQueue) && plans.contains { !$0.watchesQueue })
    }

    @Test func withoutGeneralAdmissionNobodyAsksForIt() {
        var configuration = DropConfiguration()
        configuration.generalAdmission = 0
        configuration.seats = 100
        let venue = configuration.venue
        for index in 0..<200 {
            let plan = ShopperPlan(index: index, runID: "r", configuration: configuration, venue: venue)
            #expect(!plan.holdRequests.contains { if case .generalAdmission = $0 { true } else { false } })
        }
    }

    @Test func configurationValidationNamesTheSetting() {
        var configuration = DropConfiguration()
        #expect(throws: Never.self) { try configuration.validate() }
        configuration.users = 0
        #expect { try configuration.validate() } throws: { "\($0)".contains("--users") }
        configuration = DropConfiguration()
        configuration.seats = 0
        configuration.generalAdmission = 0
        #expect { try configuration.validate() } throws: { "\($0)".contains("something to sell") }
    }
}
