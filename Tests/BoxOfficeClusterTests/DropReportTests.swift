import BoxOfficeCluster
import BoxOfficeRPC
import Foundation
import Testing

/// Percentiles, the client history file, the audit's checks and the report.
@Suite struct DropReportTests {
    @Test func nearestRankPercentiles() {
        let values = (1...100).map(Double.init)
        #expect(CallStatistics.nearestRank(values, quantile: 0.5) == 50)
        #expect(CallStatistics.nearestRank(values, quantile: 0.99) == 99)
        #expect(CallStatistics.nearestRank(values, quantile: 1) == 100)
        #expect(CallStatistics.nearestRank(values, quantile: 0) == 1)
        #expect(CallStatistics.nearestRank([7], quantile: 0.99) == 7)
        #expect(CallStatistics.nearestRank([], quantile: 0.5) == nil)
    }

    @Test func callStatisticsSummarise() {
        var statistics = CallStatistics()
        for (index, latency) in [30.0, 10, 20, 40].enumerated() {
            statistics.record(outcome: index == 3 ? .unknown : .ok, code: index == 3 ? "DEADLINE_EXCEEDED" : nil, milliseconds: latency)
        }
        let summary = statistics.summary
        #expect(summary.calls == 4 && summary.ok == 3 && summary.unknown == 1 && summary.failed == 0)
        #expect(summary.codes == ["DEADLINE_EXCEEDED": 1])
        #expect(summary.p50Milliseconds == 20)
        #expect(summary.p99Milliseconds == 40)
        #expect(summary.maxMilliseconds == 40)
    }

    @Test(arguments: [
        (RPCError.Code.deadlineExceeded, HistoryOutcome.unknown), (.unavailable, .unknown), (.internal, .unknown),
        (.cancelled, .unknown), (.unknown, .unknown), (.failedPrecondition, .failed), (.resourceExhausted, .failed),
        (.invalidArgument, .failed), (.notFound, .failed), (.permissionDenied, .failed), (.aborted, .failed),
    ])
    func outcomeOfAnError(code: RPCError.Code, expected: HistoryOutcome) {
        #expect(HistoryOutcome(error: RPCError(code: code, message: "x")) == expected)
    }

    @Test func aLocalErrorIsUnknown() {
        struct Local: Error {}
        #expect(HistoryOutcome(error: Local()) == .unknown)
    }

    @Test func historyRoundTripsThroughItsFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("drop-history-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        let writer = try HistoryWriter(url: url)
        var hold = HistoryRecord(user: "u1", op: .holdSeats, start: 1_700_000_000.25, end: 1_700_000_000.5, outcome: .ok)
        hold.event = 7
        hold.key = "u1-hold0"
        hold.selection = "best:S1x2"
        hold.booking = "b1"
        hold.status = "HELD"
        hold.seats = [10, 11]
        hold.amount = 13_000
        var checkout = HistoryRecord(user: "u1", op: .checkout, start: 1_700_000_001, end: 1_700_000_011, outcome: .unknown)
        checkout.code = "DEADLINE_EXCEEDED"
        checkout.booking = "b1"
        checkout.token = "tok_timeout_charge"
        writer.append(hold)
        writer.append(checkout)
        #expect(writer.count == 2)
        try writer.close()
        writer.append(hold)  // after close: dropped

        let records = try HistoryRecord.read(contentsOf: url)
        #expect(records.map(\.seq) == [1, 2])
        hold.seq = 1
        checkout.seq = 2
        #expect(records == [hold, checkout])
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        // Absent fields are left out, keys are sorted: stable lines a checker can rely on.
        #expect(lines[1] == #"{"booking":"b1","code":"DEADLINE_EXCEEDED","end":1700000011,"op":"Checkout","outcome":"unknown","seq":2,"start":1700000001,"token":"tok_timeout_charge","user":"u1"}"#)
    }

    @Test func aBadHistoryLineIsNamed() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("drop-history-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("{\"seq\":1}\n\nnot json\n".utf8).write(to: url)
        #expect { try HistoryRecord.read(contentsOf: url) } throws: { "\($0)".contains("line 1") }
    }

    /// A clean drop: 3 seats + a GA pool of 2; two confirmed bookings, one refunded, one declined.
    static func cleanAudit() -> DropAudit {
        var audit = DropAudit()
        audit.seatCount = 3
        audit.soldSeatRows = 2
        audit.seatsMarkedSold = 2
        audit.pools = [.init(code: "GA", capacity: 2, soldCounter: 1, soldBySales: 1)]
        audit.sales = [.init(orderReference: "b1", totalPriceMinor: 200, units: 2), .init(orderReference: "b2", totalPriceMinor: 50, units: 1)]
        audit.holdsByStatus = ["confirmed": 2, "expired": 3, "released": 2]
        audit.bookings = [
            .init(id: "b1", status: "confirmed", amountMinor: 200, terminal: true),
            .init(id: "b2", status: "confirmed", amountMinor: 50, terminal: true),
            .init(id: "b3", status: "refunded", amountMinor: 100, terminal: true),
            .init(id: "b4", status: "paymentFailed", amountMinor: 100, terminal: true),
        ]
        audit.payments = [
            .init(bookingID: "b1", status: "CAPTURED", amountMinor: 200, refundedMinor: 0),
            .init(bookingID: "b2", status: "CAPTURED", amountMinor: 50, refundedMinor: 0),
            .init(bookingID: "b3", status: "REFUNDED", amountMinor: 100, refundedMinor: 100),
            .init(bookingID: "b4", status: "DECLINED", amountMinor: 100, refundedMinor: 0),
        ]
        audit.refundCount = 1
        audit.refundRecordsMinor = 100
        return audit
    }

    @Test func aCleanAuditPasses() {
        let summary = Self.cleanAudit().summary
        #expect(summary.capacity == 5 && summary.sold == 3 && summary.unsold == 2)
        #expect(summary.seatsSold == 2 && summary.generalAdmissionSold == 1)
        #expect(summary.oversold == 0 && summary.bookingsSoldTwice == 0)
        #expect(summary.money.capturedMinor == 350 && summary.money.confirmedMinor == 250 && summary.money.refundedMinor == 100)
        #expect(summary.money.conserved)
        #expect(summary.expiredHolds == 3 && summary.releasedHolds == 2 && summary.liveHolds == 0)
        #expect(summary.paymentsByStatus == ["CAPTURED": 2, "REFUNDED": 1, "DECLINED": 1])
        #expect(summary.bookingsByStatus["confirmed"] == 2)
        #expect(summary.passed)
    }

    @Test func plantedOversalesAreCounted() {
        var doubleSeat = Self.cleanAudit()
        doubleSeat.seatsInSeveralSales = [2]
        #expect(doubleSeat.summary.oversold == 1 && !doubleSeat.summary.passed)

        var gaOver = Self.cleanAudit()
        gaOver.pools = [.init(code: "GA", capacity: 2, soldCounter: 2, soldBySales: 4)]
        #expect(gaOver.summary.oversold == 2 && !gaOver.summary.passed)

        var seatsOver = Self.cleanAudit()
        seatsOver.soldSeatRows = 4
        seatsOver.seatsMarkedSold = 4
        #expect(seatsOver.summary.oversold == 2)

        var soldTwice = Self.cleanAudit()
        soldTwice.sales.append(.init(orderReference: "b1", totalPriceMinor: 200, units: 2))
        #expect(soldTwice.summary.bookingsSoldTwice == 1 && !soldTwice.summary.passed)
    }

    @Test func plantedMoneyLeaksBreakConservation() {
        var unsettledCharge = Self.cleanAudit()
        unsettledCharge.bookings[3].status = "expired"
        unsettledCharge.payments[3].status = "CAPTURED"  // charged, then the booking expired, no refund
        #expect(unsettledCharge.summary.money.chargedNeitherConfirmedNorRefunded == 1)
        #expect(!unsettledCharge.summary.money.conserved)

        var freeTicket = Self.cleanAudit()
        freeTicket.payments[1].status = "DECLINED"  // confirmed without a charge
        #expect(freeTicket.summary.money.confirmedWithoutCharge == 1)
        #expect(!freeTicket.summary.passed)

        var lostSale = Self.cleanAudit()
        lostSale.sales.removeLast()
        #expect(lostSale.summary.money.confirmedWithoutSale == 1 && !lostSale.summary.money.conserved)

        var orphanSale = Self.cleanAudit()
        orphanSale.sales.append(.init(orderReference: "b4", totalPriceMinor: 100, units: 1))
        #expect(orphanSale.summary.money.salesWithoutConfirmedBooking == 1 && !orphanSale.summary.money.conserved)
    }

    @Test func reportJSONCarriesTheVerdict() throws {
        var statistics = CallStatistics()
        statistics.record(outcome: .ok, code: nil, milliseconds: 3)
        let report = DropReport(
            eventID: 1, users: 10, concurrency: 2, seats: 3, generalAdmission: 2, holdTTLSeconds: 5, seed: 1,
            checkoutMix: "tok_approve=1", durationSeconds: 2, crowdSeconds: 1, timeToSellOutSeconds: 0.5, timeToLastSaleSeconds: nil,
            shoppers: ["confirmed": 2, "sold_out": 8], admitted: 2, held: 2, checkoutAnswers: ["CONFIRMED": 2],
            calls: ["HoldSeats": statistics.summary], totalCalls: 1, callsPerSecond: 1, audit: Self.cleanAudit().summary,
            historyFile: nil, historyRecords: nil)
        let json = try report.json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["passed"] as? Bool == true)
        #expect((object["audit"] as? [String: Any])?["oversold"] as? Int == 0)
        #expect(((object["audit"] as? [String: Any])?["money"] as? [String: Any])?["conserved"] as? Bool == true)
        #expect(try JSONDecoder().decode(DropReport.self, from: Data(json.utf8)) == report)
        #expect(report.text.contains("PASSED"))
        #expect(report.text.contains("HoldSeats"))
        var failing = report
        failing.audit.oversold = 1
        #expect(failing.text.contains("VIOLATION") && failing.text.contains("FAILED"))
        var stopped = report
        stopped.interrupted = true
        #expect(stopped.text.contains("INTERRUPTED") && !stopped.text.contains("PASSED"))
    }
}
