import BoxOfficeCluster
import Foundation
import Testing

/// The checker's judgement on hand-made snapshots, without I/O.
@Suite("Chaos checker logic")
struct ChaosCheckerTests {
    static let now: Int64 = 1_800_000_000_000

    static func sale(_ id: String, hold: String, seats: [Int64]) -> InventoryAudit.Sale {
        InventoryAudit.Sale(id: id, holdID: hold, eventID: 1, orderReference: "b-\(hold)", heldSeatIDs: seats, soldSeatIDs: seats,
                            gaPoolCode: nil, gaQuantity: 0)
    }

    static func booking(_ id: String, step: String, terminal: Bool = true, hold: String?, user: String = "u", key: String? = nil) -> BookingAudit.Booking {
        BookingAudit.Booking(id: id, userID: user, eventID: 1, step: step, isTerminal: terminal, holdID: hold, paymentID: nil,
                             seatIDs: [], holdIdempotencyKey: key)
    }

    static func payment(_ id: String, booking: String, status: String) -> PaymentAudit.Payment {
        PaymentAudit.Payment(id: id, bookingID: booking, status: status, amountMinor: 100,
                             refundedMinor: status == "REFUNDED" ? 100 : 0, providerChargeID: "ch")
    }

    /// One confirmed, paid, sold booking.
    static var clean: AuditSnapshot {
        AuditSnapshot(
            history: [ObservedCall(operation: .checkout, outcome: .ok, userID: "u", bookingID: "b1", bookingStatus: "CONFIRMED")],
            inventory: InventoryAudit(events: [.init(eventID: 1, seatCount: 10)], sales: [sale("s1", hold: "h1", seats: [1])],
                                      readAtMilliseconds: now),
            payment: PaymentAudit(payments: [payment("p1", booking: "b1", status: "CAPTURED")]),
            booking: BookingAudit(bookings: [booking("b1", step: "confirmed", hold: "h1")]),
            hotStore: HotStoreAudit(events: [.init(eventID: 1, loaded: true, soldSeatIDs: [1], availableSeatCount: 9, availableCounter: 9)],
                                    readAtMilliseconds: now))
    }

    @Test("a consistent snapshot passes, and its report says so in text and JSON")
    func cleanPasses() throws {
        let report = HistoryChecker().report(Self.clean)
        #expect(report.passed)
        #expect(report.totals.acknowledgedConfirmed == 1 && report.totals.seatsSold == 1)
        #expect(report.description.contains("violations: 0"))
        let json = try JSONSerialization.jsonObject(with: Data(try report.json().utf8)) as? [String: Any]
        #expect(json?["passed"] as? Bool == true)
    }

    @Test("a status spelled as the proto enum still counts as an acknowledged confirmation")
    func protoStatusNamesCount() {
        var snapshot = Self.clean
        snapshot.history = [ObservedCall(operation: .getBooking, outcome: .ok, userID: "u", bookingID: "b9", bookingStatus: "BOOKING_STATUS_CONFIRMED")]
        let violations = HistoryChecker().check(snapshot)
        #expect(violations.map(\.kind) == [.lostConfirmedBooking])
        #expect(violations.first?.evidence.first?.contains("booking=b9") == true)
    }

    @Test("an unknown hold that never created a booking is settled; one left held is not")
    func unknownHoldResolution() {
        var snapshot = Self.clean
        snapshot.history.append(ObservedCall(operation: .hold, outcome: .unknown, userID: "u2", idempotencyKey: "never"))
        #expect(HistoryChecker().check(snapshot).isEmpty)
        snapshot.history.append(ObservedCall(operation: .hold, outcome: .unknown, userID: "u3", idempotencyKey: "k3"))
        snapshot.booking.bookings.append(Self.booking("b3", step: "held", terminal: false, hold: "h3", user: "u3", key: "k3"))
        let kinds = Set(HistoryChecker().check(snapshot).map(\.kind))
        #expect(kinds == [.unresolvedUnknownOutcome, .sagaNotTerminal])
    }

    @Test("a failed or unknown answer is not an acknowledgement")
    func onlyOkAcknowledges() {
        var snapshot = Self.clean
        snapshot.history = [
            ObservedCall(operation: .checkout, outcome: .unknown, userID: "u", bookingID: "b7", bookingStatus: "CONFIRMED"),
            ObservedCall(operation: .checkout, outcome: .failed, userID: "u", bookingID: "b8", bookingStatus: "CONFIRMED"),
        ]
        #expect(HistoryChecker().check(snapshot).isEmpty)
    }

    @Test("a hold is stale only past its deadline plus the sweep interval and tolerance; a pin extends the deadline")
    func staleHoldBoundary() {
        let policy = CheckPolicy(sweepIntervalMilliseconds: 1000, toleranceMilliseconds: 500, checksHotStore: true)
        var snapshot = Self.clean
        snapshot.inventory.liveHolds = [
            .init(id: "fresh", eventID: 1, holderID: "u", status: "active", expiresAtMilliseconds: Self.now - 1400, pinnedUntilMilliseconds: nil),
            .init(id: "pinned", eventID: 1, holderID: "u", status: "pinned", expiresAtMilliseconds: Self.now - 60_000,
                  pinnedUntilMilliseconds: Self.now + 10_000),
            .init(id: "stale", eventID: 1, holderID: "u", status: "active", expiresAtMilliseconds: Self.now - 1600, pinnedUntilMilliseconds: nil),
        ]
        let violations = HistoryChecker(policy: policy).check(snapshot)
        #expect(violations.map(\.kind) == [.staleHold])
        #expect(violations.first?.summary.contains("stale") == true)
    }

    @Test("Redis is compared only where it has the event, and not at all for the PostgreSQL store")
    func hotStoreScope() {
        var snapshot = Self.clean
        snapshot.hotStore?.events = [.init(eventID: 1, loaded: false)]
        #expect(HistoryChecker().check(snapshot).isEmpty)
        #expect(HistoryChecker().report(snapshot).totals.hotStoreEventsNotLoaded == 1)
        snapshot.hotStore?.events = [.init(eventID: 1, loaded: true, soldSeatIDs: [], availableSeatCount: 10, availableCounter: 10)]
        #expect(HistoryChecker().check(snapshot).map(\.kind) == [.hotStoreDrift])
        #expect(HistoryChecker(policy: CheckPolicy(checksHotStore: false)).check(snapshot).isEmpty)
    }

    @Test("every violation kind maps to an invariant and prints its evidence")
    func violationText() {
        let violation = InvariantViolation(.chargedTwice, "booking b1 was charged 2 times", evidence: ["payment p1", "payment p2"])
        #expect(violation.description == "[chargedTwice] booking b1 was charged 2 times\n    payment p1\n    payment p2")
        #expect(InvariantViolation.Kind.allCases.filter { $0.invariant == 0 } == [.hotStoreDrift])
    }
}
