import BoxOfficeCluster
import BoxOfficeRedis
import Testing

/// The checker against real PostgreSQL and Redis: service migrations, a consistent drop, then one
/// planted violation of each kind.
@Suite("Chaos checker on real databases")
struct ChaosCheckerDatabaseTests {
    /// One way the stores or the history can go wrong, and the violation it must produce.
    struct Plant: Sendable, CustomTestStringConvertible {
        var name: String
        var expected: InvariantViolation.Kind
        var inventorySQL = ""
        var bookingSQL = ""
        var paymentSQL = ""
        var redis: [[String]] = []
        var extraHistory: [ObservedCall] = []
        /// A word the violation's summary must contain: it names the right record.
        var names: String
        var testDescription: String { name }
    }

    static let plants: [Plant] = [
        Plant(name: "a seat in two sales", expected: .seatSoldTwice, inventorySQL: """
            INSERT INTO holds (id, event_id, holder_id, status, store, seat_ids, total_price_minor, currency, created_at, expires_at, order_reference)
                VALUES ('h5', 1, 'u5', 'confirmed', 'postgres', '{2}', 1000, 'USD', now(), now(), 'b5');
            INSERT INTO sales (id, hold_id, event_id, holder_id, total_price_minor, currency, order_reference)
                VALUES ('s5', 'h5', 1, 'u5', 1000, 'USD', 'b5');
            """, names: "seat 2"),
        Plant(name: "a seat in two confirmed bookings", expected: .seatSoldTwice,
              bookingSQL: ChaosCheckerFixture.bookingRow("b6", user: "u6", step: "confirmed", terminal: true, hold: "h1", payment: "p1", seats: [1]),
              names: "seat 1"),
        Plant(name: "GA sold past capacity", expected: .oversold, inventorySQL: """
            INSERT INTO holds (id, event_id, holder_id, status, store, ga_pool_code, ga_quantity, total_price_minor, currency, created_at, expires_at, order_reference)
                VALUES ('h6', 1, 'u6', 'confirmed', 'postgres', 'GA', 8, 8000, 'USD', now(), now(), 'b6');
            INSERT INTO sales (id, hold_id, event_id, holder_id, ga_pool_code, ga_quantity, total_price_minor, currency, order_reference)
                VALUES ('s6', 'h6', 1, 'u6', 'GA', 8, 8000, 'USD', 'b6');
            """, names: "GA"),
        Plant(name: "more seats sold than the event has", expected: .oversold,
              inventorySQL: "UPDATE events SET seat_count = 1 WHERE id = 1;", names: "event 1"),
        Plant(name: "a seat marked sold without a sale", expected: .saleRecordsDisagree,
              inventorySQL: "UPDATE seats SET status = 'sold', hold_id = 'h3', held_by = 'u3' WHERE event_id = 1 AND id = 3;",
              names: "seat 3"),
        Plant(name: "an acknowledged confirmation whose sale is gone", expected: .lostConfirmedBooking,
              inventorySQL: "DELETE FROM sales WHERE id = 's1'; UPDATE seats SET status = 'available', hold_id = NULL, held_by = NULL WHERE id IN (1, 2);",
              names: "b1"),
        Plant(name: "an acknowledged confirmation of an expired booking", expected: .lostConfirmedBooking,
              extraHistory: [ObservedCall(operation: .checkout, outcome: .ok, userID: "u3", bookingID: "b3", bookingStatus: "CONFIRMED", line: 7)],
              names: "b3"),
        Plant(name: "money captured for an expired booking", expected: .capturedWithoutOutcome,
              paymentSQL: ChaosCheckerFixture.paymentRow("p3", booking: "b3", status: "CAPTURED"), names: "p3"),
        Plant(name: "a confirmed booking refunded", expected: .ticketMoneyMismatch,
              paymentSQL: "UPDATE payments SET status = 'REFUNDED', refunded_minor = amount_minor WHERE id = 'p2';", names: "b2"),
        Plant(name: "a confirmed booking never paid", expected: .ticketMoneyMismatch,
              paymentSQL: "UPDATE payments SET status = 'DECLINED', provider_charge_id = NULL WHERE id = 'p1';", names: "b1"),
        Plant(name: "one hold charged through two bookings", expected: .chargedTwice,
              bookingSQL: ChaosCheckerFixture.bookingRow("b7", user: "u1", step: "refunded", terminal: true, hold: "h1", payment: "p7", seats: [1, 2]),
              paymentSQL: ChaosCheckerFixture.paymentRow("p7", booking: "b7", status: "CAPTURED", amount: 2000), names: "h1"),
        Plant(name: "one booking charged twice (unique index gone)", expected: .chargedTwice,
              paymentSQL: "ALTER TABLE payments DROP CONSTRAINT payments_booking_id_key;\n"
                  + ChaosCheckerFixture.paymentRow("p8", booking: "b1", status: "CAPTURED", amount: 2000), names: "b1"),
        Plant(name: "an unknown checkout never settled", expected: .unresolvedUnknownOutcome,
              bookingSQL: ChaosCheckerFixture.bookingRow("b9", user: "u9", step: "charging", terminal: false, hold: "h9", payment: "p9", seats: [3]),
              extraHistory: [ObservedCall(operation: .checkout, outcome: .unknown, userID: "u9", bookingID: "b9", line: 8)], names: "b9"),
        Plant(name: "an unknown hold whose booking is still held", expected: .unresolvedUnknownOutcome,
              bookingSQL: ChaosCheckerFixture.bookingRow("b10", user: "u10", step: "held", terminal: false, hold: "h10", seats: [3])
                  + "\nINSERT INTO idempotency_records VALUES ('u10', 'hold', 'k10', 'fp', 'b10', NULL, now());",
              extraHistory: [ObservedCall(operation: .hold, outcome: .unknown, userID: "u10", idempotencyKey: "k10", line: 9)], names: "b10"),
        Plant(name: "a saga stuck awaiting payment", expected: .sagaNotTerminal,
              bookingSQL: ChaosCheckerFixture.bookingRow("b11", user: "u11", step: "awaitingPayment", terminal: false, hold: "h11", seats: [3]),
              names: "b11"),
        Plant(name: "a payment left PENDING", expected: .sagaNotTerminal,
              paymentSQL: ChaosCheckerFixture.paymentRow("p12", booking: "b3", status: "PENDING"), names: "p12"),
        Plant(name: "an outcome booking never acknowledged", expected: .sagaNotTerminal,
              paymentSQL: "INSERT INTO outcome_outbox (id, payment_id, booking_id, status, amount_minor, currency) VALUES ('p1/CAPTURED', 'p1', 'b1', 'CAPTURED', 2000, 'USD');",
              names: "p1/CAPTURED"),
        Plant(name: "an unpinned hold past its TTL", expected: .staleHold, inventorySQL: """
            INSERT INTO holds (id, event_id, holder_id, status, store, seat_ids, total_price_minor, currency, created_at, expires_at)
                VALUES ('h13', 1, 'u13', 'active', 'postgres', '{3}', 1000, 'USD', now() - interval '1 min', now() - interval '10 s');
            UPDATE seats SET status = 'held', hold_id = 'h13', held_by = 'u13', held_until = now() - interval '10 s' WHERE id = 3;
            """, names: "h13"),
        Plant(name: "a Redis hold past its deadline", expected: .staleHold,
              redis: [["ZADD", "{ev:1}:expiry", "1000", "h14"]], names: "h14"),
        Plant(name: "a seat sold only in Redis", expected: .hotStoreDrift, redis: [["SET", "{ev:1}:seats", "2220"]], names: "event 1"),
        Plant(name: "a GA count differing in Redis", expected: .hotStoreDrift, redis: [["HSET", "{ev:1}:ga", "GA:sold", "4"]], names: "GA"),
    ]

    @Test("a consistent drop has no violations")
    func cleanDatabasesPass() async throws {
        let fixture = try await ChaosCheckerFixture.create()
        let violations: [InvariantViolation]
        do {
            violations = try await fixture.check()
        } catch {
            await fixture.drop()
            throw error
        }
        await fixture.drop()
        #expect(violations.isEmpty, "\(violations.map(\.description).joined(separator: "\n"))")
    }

    @Test("each planted violation is caught and named", arguments: plants)
    func plantedViolationIsCaught(_ plant: Plant) async throws {
        let fixture = try await ChaosCheckerFixture.create()
        let violations: [InvariantViolation]
        do {
            if !plant.inventorySQL.isEmpty { try await fixture.run(plant.inventorySQL, in: fixture.inventory) }
            if !plant.bookingSQL.isEmpty { try await fixture.run(plant.bookingSQL, in: fixture.booking) }
            if !plant.paymentSQL.isEmpty { try await fixture.run(plant.paymentSQL, in: fixture.payment) }
            try await fixture.redis(plant.redis.map { command in
                RedisCommand(command[0], arguments: command.dropFirst().enumerated().map { $0.offset == 0 ? fixture.redisPrefix + $0.element : $0.element })
            })
            violations = try await fixture.check(history: ChaosCheckerFixture.history + plant.extraHistory)
        } catch {
            await fixture.drop()
            throw error
        }
        await fixture.drop()
        let caught = violations.filter { $0.kind == plant.expected }
        #expect(!caught.isEmpty, "expected \(plant.expected), got:\n\(violations.map(\.description).joined(separator: "\n"))")
        #expect(caught.contains { $0.summary.contains(plant.names) }, "\(caught.map(\.summary))")
        #expect(caught.allSatisfy { !$0.evidence.isEmpty })
    }
}
