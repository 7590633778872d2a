import Foundation

/// The outcome of a drop: what the crowd did and saw, how fast the services answered, and what
/// the databases say (oversold must be 0, money must be conserved). `--json` prints it as JSON.
public struct DropReport: Sendable, Hashable, Codable {
    /// The event sold.
    public var eventID: Int64
    /// The settings that shaped the run.
    public var users: Int
    public var concurrency: Int
    public var seats: Int
    public var generalAdmission: Int
    public var holdTTLSeconds: Double
    public var seed: UInt64
    public var checkoutMix: String
    /// Wall time from the event's creation to the end of the audit.
    public var durationSeconds: Double
    /// Time the crowd ran (first shopper to last).
    public var crowdSeconds: Double
    /// From the sale opening until nothing was available any more (every unit sold or held); nil
    /// when that never happened.
    public var timeToSellOutSeconds: Double?
    /// From the sale opening until every unit was sold; nil when some stayed unsold.
    public var timeToLastSaleSeconds: Double?
    /// Shoppers by how their journey ended (`confirmed`, `sold_out`, `abandoned`, …).
    public var shoppers: [String: Int]
    /// Shoppers the waiting room admitted.
    public var admitted: Int
    /// Shoppers who got a hold.
    public var held: Int
    /// What Checkout answered (`CONFIRMED`, `PAYMENT_PENDING`, `PAYMENT_FAILED`, …).
    public var checkoutAnswers: [String: Int]
    /// Per RPC: calls by outcome and status, p50/p99 latency.
    public var calls: [String: CallSummary]
    /// Calls made in all.
    public var totalCalls: Int
    /// Calls a second over the crowd's time.
    public var callsPerSecond: Double
    /// What the databases say.
    public var audit: AuditSummary
    /// The client history file, when one was written.
    public var historyFile: String?
    /// Records in the client history.
    public var historyRecords: Int?
    /// The run was stopped (Ctrl-C) before the crowd finished: the audit saw an unsettled system.
    public var interrupted = false

    /// Creates a report.
    public init(eventID: Int64, users: Int, concurrency: Int, seats: Int, generalAdmission: Int, holdTTLSeconds: Double,
                seed: UInt64, checkoutMix: String, durationSeconds: Double, crowdSeconds: Double, timeToSellOutSeconds: Double?,
                timeToLastSaleSeconds: Double?, shoppers: [String: Int], admitted: Int, held: Int, checkoutAnswers: [String: Int], calls: [String: CallSummary],
                totalCalls: Int, callsPerSecond: Double, audit: AuditSummary, historyFile: String?, historyRecords: Int?) {
        self.eventID = eventID
        self.users = users
        self.concurrency = concurrency
        self.seats = seats
        self.generalAdmission = generalAdmission
        self.holdTTLSeconds = holdTTLSeconds
        self.seed = seed
        self.checkoutMix = checkoutMix
        self.durationSeconds = durationSeconds
        self.crowdSeconds = crowdSeconds
        self.timeToSellOutSeconds = timeToSellOutSeconds
        self.timeToLastSaleSeconds = timeToLastSaleSeconds
        self.shoppers = shoppers
        self.admitted = admitted
        self.held = held
        self.checkoutAnswers = checkoutAnswers
        self.calls = calls
        self.totalCalls = totalCalls
        self.callsPerSecond = callsPerSecond
        self.audit = audit
        self.historyFile = historyFile
        self.historyRecords = historyRecords
    }

    /// Oversold 0, no booking sold twice, money conserved.
    public var passed: Bool { audit.passed }

    /// The report as pretty, key-sorted JSON (with `passed`).
    public func json() throws -> String {
        struct Wrapped: Encodable {
            let report: DropReport
            func encode(to encoder: any Encoder) throws {
                try report.encode(to: encoder)
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(report.passed, forKey: Key(stringValue: "passed"))
            }
        }
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Wrapped(report: self)), as: UTF8.self)
    }

    /// The report for people: a few aligned sections.
    public var text: String {
        var lines: [String] = []
        func money(_ minor: Int64) -> String { String(format: "$%.2f", Double(minor) / 100) }
        func counts(_ values: [String: Int]) -> String {
            values.isEmpty ? "none" : values.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        lines.append("BoxOffice drop — event \(eventID): \(seats) seats + \(generalAdmission) GA, \(users) shoppers "
                     + "(\(concurrency) at a time), hold TTL \(String(format: "%.0f", holdTTLSeconds)) s, seed \(seed)")
        lines.append("")
        lines.append("Sales")
        lines.append("  sold            \(audit.sold) of \(audit.capacity) (seats \(audit.seatsSold), GA \(audit.generalAdmissionSold))")
        lines.append("  unsold          \(audit.unsold)")
        lines.append("  time to sell out " + (timeToSellOutSeconds.map { String(format: "%.1f s (nothing left to hold)", $0) }
                                             ?? "did not sell out"))
        if let timeToLastSaleSeconds { lines.append(String(format: "  last unit sold  %.1f s after the sale opened", timeToLastSaleSeconds)) }
        lines.append("  expired holds   \(audit.expiredHolds)\(audit.liveHolds > 0 ? ", still live \(audit.liveHolds)" : "")")
        lines.append("  bookings        \(counts(audit.bookingsByStatus))")
        lines.append("  payments        \(counts(audit.paymentsByStatus))")
        lines.append("  refunds         \(audit.refunds)")
        lines.append("")
        lines.append("Shoppers")
        lines.append("  admitted \(admitted), held \(held)")
        lines.append("  outcomes        \(counts(shoppers))")
        lines.append("  checkout said   \(counts(checkoutAnswers))")
        lines.append("")
        lines.append(String(format: "Calls: %d in %.1f s, %.0f/s", totalCalls, crowdSeconds, callsPerSecond))
        lines.append("  method            calls      ok  failed unknown   p50 ms   p99 ms")
        for op in HistoryOperation.allCases {
            guard let summary = calls[op.rawValue], summary.calls > 0 else { continue }
            lines.append("  " + op.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
                         + String(format: " %6d  %6d  %6d  %6d  %7.1f  %7.1f", summary.calls, summary.ok, summary.failed,
                                  summary.unknown, summary.p50Milliseconds ?? 0, summary.p99Milliseconds ?? 0))
        }
        lines.append("")
        lines.append("Checks (from the databases)")
        lines.append("  oversold        \(audit.oversold)\(audit.oversold == 0 ? "" : "  ← VIOLATION")")
        lines.append("  sold twice      \(audit.bookingsSoldTwice)\(audit.bookingsSoldTwice == 0 ? "" : "  ← VIOLATION")")
        lines.append("  money           captured \(money(audit.money.capturedMinor)) = confirmed \(money(audit.money.confirmedMinor)) "
                     + "+ refunded \(money(audit.money.refundedMinor)): \(audit.money.conserved ? "conserved" : "NOT CONSERVED")")
        if !audit.money.conserved {
            lines.append("                  confirmed without charge \(audit.money.confirmedWithoutCharge), charged but neither confirmed "
                         + "nor refunded \(audit.money.chargedNeitherConfirmedNorRefunded), confirmed without sale "
                         + "\(audit.money.confirmedWithoutSale), sales without confirmed booking \(audit.money.salesWithoutConfirmedBooking)")
        }
        if audit.pendingPayments > 0 || audit.unsettledBookings > 0 {
            lines.append("  unsettled       \(audit.unsettledBookings) bookings, \(audit.pendingPayments) payments still pending")
        }
        if let historyFile { lines.append("  history         \(historyRecords ?? 0) records in \(historyFile)") }
        lines.append("")
        if interrupted {
            lines.append("INTERRUPTED: the crowd was stopped early; bookings still in flight make the money check incomplete")
        } else {
            lines.append(passed ? "PASSED: nothing oversold, money conserved" : "FAILED: see the checks above")
        }
        return lines.joined(separator: "\n")
    }
}
