import BoxOfficeHarness
import Testing
@testable import BoxOfficeRPC

@Suite struct ServerStreamTableTests {
    /// Random inserts, replacements, removals and lookups, checked against a `Dictionary` after
    /// every step: same contents, same count, and every removed key really gone (backward-shift
    /// deletion must not strand a later member of a probe run).
    @Test(arguments: 0..<30)
    func behavesLikeADictionary(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        var table = StreamTable<Int>()
        var model: [Int32: Int] = [:]
        // Few distinct keys in some seeds (long probe runs, many replacements), many in others (growth).
        let keySpace = Int32(2 + random.next() % (seed.isMultiple(of: 2) ? 40 : 2_000))
        for step in 0..<3_000 {
            let key = 1 + Int32(random.next() % UInt64(keySpace))
            switch random.next() % 4 {
            case 0, 1:
                table[key] = step
                model[key] = step
            case 2:
                #expect(table.removeValue(forKey: key) == model.removeValue(forKey: key))
            default:
                #expect(table[key] == model[key])
            }
            #expect(table.count == model.count)
            // A recount walks the whole table: every 64 steps keeps the test cheap (under TSan too).
            if step % 64 == 0 { #expect(table.displacedCount == Self.displacedByRecount(table)) }
        }
        #expect(table.displacedCount == Self.displacedByRecount(table))
        for key in 1...keySpace { #expect(table[key] == model[key]) }
        #expect(Dictionary(uniqueKeysWithValues: table.map { ($0.key, $0.value) }) == model)
    }

    @Test func streamIDsAsAClientOpensThemStayFindableWhileOthersClose() {
        var table = StreamTable<String>()
        // Odd IDs, increasing, about 100 open at a time: the pattern of a busy connection.
        for id in stride(from: Int32(1), through: 20_001, by: 2) {
            table[id] = "stream \(id)"
            if id > 200 { #expect(table.removeValue(forKey: id - 200) == "stream \(id - 200)") }
        }
        #expect(table.count == 100)
        // Consecutive IDs never collide, so removals took the path that moves nothing.
        #expect(table.displacedCount == 0)
        for id in stride(from: Int32(19_803), through: 20_001, by: 2) { #expect(table[id] == "stream \(id)") }
        #expect(table[19_801] == nil)
        #expect(table[2] == nil)
    }

    @Test func removalRefillsHolesOnlyFromDisplacedStreams() {
        var table = StreamTable<Int32>()
        // 16 slots: IDs 1, 33 and 65 all want slot 0; 3 wants slot 1 and is pushed to slot 3.
        for id: Int32 in [1, 33, 65, 3] { table[id] = id }
        #expect(table.displacedCount == 3)
        #expect(table.slot(of: 3) == 3)
        table[1] = nil
        // The run shifts back one slot: 33 reaches its ideal slot, 65 and 3 stay displaced.
        #expect(table.slot(of: 33) == 0)
        #expect(table.slot(of: 65) == 1)
        #expect(table.slot(of: 3) == 2)
        #expect(table.displacedCount == 2)
        table[65] = nil
        // 3 moves into its ideal slot; nothing is displaced any more.
        #expect(table.slot(of: 3) == 1)
        #expect(table.displacedCount == 0)
        #expect(table[33] == 33 && table[3] == 3)
    }

    /// Streams not in their ideal slot, counted from scratch.
    static func displacedByRecount<Value>(_ table: StreamTable<Value>) -> Int {
        table.filter { table.slot(of: $0.key) != table.idealSlot($0.key) }.count
    }

    @Test func slotAccessMutatesInPlaceAndRemoveAllEmpties() {
        var table = StreamTable<[Int]>()
        table[7] = [1]
        let slot = table.slot(of: 7)!
        table[slot: slot].append(2)
        #expect(table[7] == [1, 2])
        #expect(table.slot(of: 9) == nil)
        table[9] = []
        table.removeAll()
        #expect(table.isEmpty)
        #expect(table[7] == nil)
        table[7] = [3]
        #expect(table[7] == [3])
    }
}
