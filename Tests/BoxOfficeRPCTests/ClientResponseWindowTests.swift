import BoxOfficeHarness
import BoxOfficeLocks
@testable import BoxOfficeRPC
import Testing

/// The stream-level flow-control credit of a response (``ResponseWindowLedger``) and how the
/// client stream state machine hands it out, without I/O.
@Suite("Client response window")
struct ClientResponseWindowTests {
    typealias Machine = ClientStreamStateMachine

    static let okHead = [HTTP2HeaderField(":status", "200"), HTTP2HeaderField("content-type", "application/grpc")]

    static func streaming() -> Machine {
        var machine = Machine()
        machine.requestEnded()
        _ = machine.receivedHeaders(okHead, endStream: false)
        return machine
    }

    // MARK: Ledger

    @Test func completeMessagesAreReturnedOnlyOnceRead() {
        var ledger = ResponseWindowLedger()
        ledger.received(20, completingMessagesOf: 20)
        #expect(ledger.takeCredit() == 0)
        #expect(ledger.outstanding == 20 && ledger.unread == 20)
        ledger.read(wireBytes: 8)
        #expect(ledger.takeCredit() == 8)
        #expect(ledger.takeCredit() == 0)
        ledger.read(wireBytes: 12)
        #expect(ledger.takeCredit() == 12)
        #expect(ledger.outstanding == 0 && ledger.unread == 0)
    }

    @Test func partialMessageBytesAreReturnedAtOnce() {
        var ledger = ResponseWindowLedger()
        ledger.received(100, completingMessagesOf: 0)
        #expect(ledger.takeCredit() == 100)
        // The rest of a 150-byte message: its early 100 bytes are a debt paid by the read.
        ledger.received(50, completingMessagesOf: 150)
        #expect(ledger.takeCredit() == 0)
        ledger.read(wireBytes: 100)
        #expect(ledger.takeCredit() == 0)
        ledger.read(wireBytes: 50)
        #expect(ledger.takeCredit() == 50)
        #expect(ledger.returned == ledger.received)
    }

    @Test func earlyBytesOfTheNextMessageWaitWhileADebtIsOpen() {
        var ledger = ResponseWindowLedger()
        ledger.received(60, completingMessagesOf: 0)
        #expect(ledger.takeCredit() == 60)
        // Completes the 100-byte message and starts the next one with 30 bytes.
        ledger.received(70, completingMessagesOf: 100)
        #expect(ledger.takeCredit() == 0)  // target 30 + 0 read < 60 returned
        ledger.read(wireBytes: 100)
        #expect(ledger.takeCredit() == 70)  // target 30 + 100
        #expect(ledger.outstanding == 0)
    }

    @Test func readsBeyondWhatWasDeliveredAreCapped() {
        var ledger = ResponseWindowLedger()
        ledger.received(10, completingMessagesOf: 10)
        ledger.read(wireBytes: 1_000)
        ledger.read(wireBytes: -5)
        #expect(ledger.read == 10)
        #expect(ledger.takeCredit() == 10)
        ledger.read(wireBytes: 10)
        #expect(ledger.takeCredit() == 0)
        #expect(ledger.returned == 10)
    }

    /// Random message sizes, random DATA chunking, reads interleaved at random, a server that
    /// sends only within its window: every byte comes back exactly once, never before it
    /// arrived, and the unread backlog never exceeds the window plus one message.
    @Test(arguments: 0..<40)
    func creditIsExactAndTheBacklogBounded(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        let window = 1 + Int(random.next() % 4_000)
        let messages = (0..<(1 + Int(random.next() % 60))).map { _ in 5 + Int(random.next() % 900) }
        let total = messages.reduce(0, +)
        var ledger = ResponseWindowLedger()
        var boundaries = Array(messages.reduce(into: [0]) { $0.append($0.last! + $1) }.dropFirst())
        var sent = 0
        var deliveredMessages: [Int] = []
        var deliveredBytes = 0
        var readCount = 0
        var returnedTotal = 0
        var steps = 0
        while (sent < total || readCount < deliveredMessages.count) && steps < 100_000 {
            steps += 1
            let serverWindow = window - ledger.outstanding
            if sent < total, serverWindow > 0, random.next() % 2 == 0 {
                let chunk = min(total - sent, serverWindow, 1 + Int(random.next() % 700))
                sent += chunk
                var completed = 0
                while let end = boundaries.first, end <= sent {
                    boundaries.removeFirst()
                    let size = end - deliveredBytes
                    deliveredBytes = end
                    deliveredMessages.append(size)
                    completed += size
                }
                ledger.received(chunk, completingMessagesOf: completed)
            } else if readCount < deliveredMessages.count {
                let batch = 1 + Int(random.next() % 3)
                let upTo = min(deliveredMessages.count, readCount + batch)
                ledger.read(wireBytes: deliveredMessages[readCount..<upTo].reduce(0, +))
                readCount = upTo
            }
            let credit = ledger.takeCredit()
            #expect(credit >= 0)
            returnedTotal += credit
            #expect(returnedTotal == ledger.returned)
            #expect(ledger.returned <= ledger.received)
            #expect(ledger.unread <= window + (messages.max() ?? 0))
        }
        #expect(sent == total, "the server was never left without window")
        #expect(deliveredMessages == messages)
        #expect(returnedTotal == total, "every byte returned exactly once")
    }

    // MARK: State machine

    @Test func machineReturnsWindowAsMessagesAreRead() {
        var machine = Self.streaming()
        let two = GRPCMessageFramer.frame([1, 2, 3]) + GRPCMessageFramer.frame([4])
        #expect(machine.receivedData(two, endStream: false) == .deliver([.message([1, 2, 3]), .message([4])]))
        #expect(machine.takeWindowCredit() == 0)
        machine.messagesRead(wireBytes: 8)
        #expect(machine.takeWindowCredit() == 8)
        machine.messagesRead(wireBytes: 6)
        #expect(machine.takeWindowCredit() == 6)
        #expect(machine.takeWindowCredit() == 0)
    }

    @Test func machineReturnsPartialMessageBytesAtOnce() {
        var machine = Self.streaming()
        let message = GRPCMessageFramer.frame([UInt8](repeating: 7, count: 20))
        #expect(machine.receivedData(Array(message[0..<10]), endStream: false) == .none)
        #expect(machine.takeWindowCredit() == 10)
        #expect(machine.receivedData(Array(message[10...]), endStream: false)
            == .deliver([.message([UInt8](repeating: 7, count: 20))]))
        #expect(machine.takeWindowCredit() == 0)
        machine.messagesRead(wireBytes: 25)
        #expect(machine.takeWindowCredit() == 15)
    }

    /// However the call ends, the window of unread messages is not returned afterwards (no DATA
    /// can follow on the stream; the connection window came back on receipt), and reads or DATA
    /// arriving late give nothing.
    @Test(arguments: ["trailers", "reset", "cancel", "deadline", "connectionLost", "dataEndStream", "badMessage"])
    func noCreditAfterTheCallEnds(ending: String) {
        var machine = Self.streaming()
        _ = machine.receivedData(GRPCMessageFramer.frame([1, 2, 3]), endStream: false)
        let action: Machine.Action = switch ending {
        case "trailers": machine.receivedHeaders([HTTP2HeaderField("grpc-status", "0")], endStream: true)
        case "reset": machine.streamClosed(errorCode: HTTP2ErrorCode.cancel.rawValue)
        case "cancel": machine.cancelled()
        case "deadline": machine.deadlineExpired()
        case "connectionLost": machine.connectionLost("gone")
        case "dataEndStream": machine.receivedData(GRPCMessageFramer.frame([4]), endStream: true)
        default: machine.receivedData([1, 0, 0, 0, 1, 9], endStream: false)
        }
        guard case .finish = action else {
            Issue.record("expected the call to finish, got \(action)")
            return
        }
        #expect(machine.takeWindowCredit() == 0)
        machine.messagesRead(wireBytes: 8)
        #expect(machine.takeWindowCredit() == 0)
        #expect(machine.receivedData(GRPCMessageFramer.frame([5]), endStream: false) == .none)
        #expect(machine.takeWindowCredit() == 0)
    }

    @Test func noCreditBeforeTheResponseHead() {
        var machine = Machine()
        machine.messagesRead(wireBytes: 100)
        #expect(machine.takeWindowCredit() == 0)
    }

    @Test func readReporterBatchesReads() {
        let reports = ReportLog()
        let reporter = ResponseReadReporter(batchBytes: 20) { reports.append($0) }
        var unreported = 0
        reporter.messageRead(payloadBytes: 5, unreported: &unreported)   // 10
        #expect(reports.values.isEmpty && unreported == 10)
        reporter.messageRead(payloadBytes: 5, unreported: &unreported)   // 20: report
        #expect(reports.values == [20] && unreported == 0)
        reporter.messageRead(payloadBytes: 100, unreported: &unreported)  // one large message: report at once
        #expect(reports.values == [20, 105] && unreported == 0)
    }

    @Test func readReportBatchIsAQuarterOfTheStreamWindow() {
        var configuration = ClientConnectionConfiguration()
        #expect(configuration.sessionConfiguration.initialStreamWindow == 1 << 20)
        #expect(configuration.responseReadReportBatch == 1 << 18)
        configuration.maxBufferedResponseBytes = 64 * 1024
        #expect(configuration.sessionConfiguration.initialStreamWindow == 64 * 1024)
        #expect(configuration.responseReadReportBatch == 16 * 1024)
        configuration.maxBufferedResponseBytes = 0
        #expect(configuration.sessionConfiguration.initialStreamWindow == 1)
        #expect(configuration.responseReadReportBatch == 1)
        configuration.maxBufferedResponseBytes = .max
        #expect(configuration.sessionConfiguration.initialStreamWindow == .max)
    }
}

/// Collects reported values (the reporter's closure is `@Sendable`).
private final class ReportLog: Sendable {
    private let log = AnnotatedMutex<[Int]>([])
    func append(_ value: Int) { log.withLock { $0.append(value) } }
    var values: [Int] { log.withLock { $0 } }
}
