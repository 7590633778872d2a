import BoxOfficeHarness
import Testing
@testable import BoxOfficeRPC

@Suite struct ServerOutboundMessageQueueTests {
    /// Messages appended at random between reads of random sizes (including reads that split a
    /// prefix): the bytes read out are exactly the messages framed back to back, and `count`
    /// always equals what is left.
    @Test(arguments: 0..<40)
    func readsOutTheFramedMessagesInOrder(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        var queue = OutboundMessageQueue()
        var expected: [UInt8] = []
        var read: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 64)
        for _ in 0..<200 {
            if random.next() % 3 == 0 {
                let message = (0..<Int(random.next() % 40)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                queue.append(message)
                expected += GRPCMessageFramer.frame(message)
            } else {
                let limit = Int(random.next() % UInt64(scratch.count + 1))
                let count = scratch.withUnsafeMutableBytes { queue.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[..<limit])) }
                #expect(count <= limit)
                read += scratch[..<count]
            }
            #expect(queue.count == expected.count - read.count)
        }
        while queue.count > 0 {
            let count = scratch.withUnsafeMutableBytes { queue.read(into: $0) }
            #expect(count > 0)
            read += scratch[..<count]
        }
        #expect(read == expected)
    }

    @Test func anEmptyMessageIsStillFramedAndAnEmptyQueueReadsNothing() {
        var queue = OutboundMessageQueue()
        var scratch = [UInt8](repeating: 0xFF, count: 8)
        #expect(scratch.withUnsafeMutableBytes { queue.read(into: $0) } == 0)
        queue.append([])
        #expect(queue.count == 5)
        #expect(scratch.withUnsafeMutableBytes { queue.read(into: $0) } == 5)
        #expect(scratch[..<5] == [0, 0, 0, 0, 0])
        #expect(queue.count == 0)
    }
}
