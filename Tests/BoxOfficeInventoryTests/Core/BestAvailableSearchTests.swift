import Testing
import BoxOfficeHarness
import BoxOfficeInventory

@Suite("Best-available adjacent seats")
struct BestAvailableSearchTests {
    let layout: EventLayout

    init() throws { layout = try EventLayout(validating: Fixtures.seatMap) }

    @Test("takes the centre of the front row when everything is free")
    func centreOfFrontRow() {
        let rows = layout.rows(sectionCode: "FLOOR", priceTier: nil)
        #expect(BestAvailableSearch.bestBlock(quantity: 2, rows: rows) { _ in true } == 5..<7)
        #expect(BestAvailableSearch.bestBlock(quantity: 3, rows: rows) { _ in true } == 4..<7)
        #expect(BestAvailableSearch.bestBlock(quantity: 10, rows: rows) { _ in true } == 1..<11)
    }

    @Test("stays in the front row, nearest the centre, when the middle is taken")
    func aroundTakenSeats() {
        let rows = layout.rows(sectionCode: "FLOOR", priceTier: nil)
        let taken: Set<Int64> = [5, 6]
        // Free runs 1...4 and 7...10: both 2-blocks nearest the centre are 3-4 and 7-8; the lower wins.
        #expect(BestAvailableSearch.bestBlock(quantity: 2, rows: rows) { !taken.contains($0) } == 3..<5)
        #expect(BestAvailableSearch.bestBlock(quantity: 4, rows: rows) { !taken.contains($0) } == 1..<5)
        // No 5-block in row A: row B's centre.
        #expect(BestAvailableSearch.bestBlock(quantity: 5, rows: rows) { !taken.contains($0) } == 13..<18)
    }

    @Test("a tier spans sections: front rows first, then the earlier section")
    func acrossSections() {
        let rows = layout.rows(sectionCode: nil, priceTier: "B")
        // FLOOR row B and BALC row 1 are both rank 1 / rank 0: BALC row 1 is a front row (rank 0).
        #expect(BestAvailableSearch.bestBlock(quantity: 2, rows: rows) { _ in true } == 23..<25)
        let balconyFull = BestAvailableSearch.bestBlock(quantity: 2, rows: rows) { $0 < 21 || $0 > 26 }
        // Rank 1: FLOOR row B (section 0) beats BALC row 2 (section 1).
        #expect(balconyFull == 15..<17)
    }

    @Test("answers nil when no row has the block")
    func none() {
        let rows = layout.rows(sectionCode: "BALC", priceTier: nil)
        #expect(BestAvailableSearch.bestBlock(quantity: 7, rows: rows) { _ in true } == nil)
        let alternate = BestAvailableSearch.bestBlock(quantity: 2, rows: rows) { $0 % 2 == 0 }
        #expect(alternate == nil)
        #expect(BestAvailableSearch.bestBlock(quantity: 1, rows: rows) { $0 == 32 } == 32..<33)
        #expect(BestAvailableSearch.bestBlock(quantity: 0, rows: rows) { _ in true } == nil)
    }

    @Test("the chosen block is always free, adjacent and in one row", arguments: 1...6)
    func alwaysValid(quantity: Int) {
        var free = Set<Int64>(1...38)
        var generator = SplitMix64(seed: UInt64(quantity))
        for _ in 0..<12 { free.remove(Int64(generator.next() % 38) + 1) }
        var taken = 0
        while let block = BestAvailableSearch.bestBlock(quantity: quantity, rows: layout.rows, isAvailable: free.contains) {
            #expect(block.count == quantity)
            #expect(block.allSatisfy(free.contains))
            #expect(layout.row(containing: block.lowerBound) == layout.row(containing: block.upperBound - 1))
            for id in block { free.remove(id) }
            taken += 1
            if taken > 40 { break }
        }
        #expect(taken <= 38 / quantity)
    }
}
