import BoxOfficeHarness
import BoxOfficePayment
import BoxOfficePostgres
import Foundation
import Logging
import Testing

/// The two ``PaymentStore`` implementations.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case postgres

    var testDescription: String { rawValue }
}

/// Runs `body` with a fresh store of `kind`: an in-memory one, or a PostgreSQL one on its own
/// database (migrated through the shared migrator, dropped afterwards).
func withStore<Result: Sendable>(
    _ kind: StoreKind, _ body: @Sendable (any PaymentStore) async throws -> Result
) async throws -> Result {
    switch kind {
    case .memory:
        return try await body(InMemoryPaymentStore())
    case .postgres:
        return try await withPostgresStore { store, _ in try await body(store) }
    }
}

/// Runs `body` with a PostgreSQL store on a fresh, migrated database, and the client behind it.
func withPostgresStore<Result: Sendable>(
    _ body: @Sendable (PostgresPaymentStore, PostgresClient) async throws -> Result
) async throws -> Result {
    try await PostgresTestEnvironment.withDatabase("payment") { configuration in
        var logger = Logger(label: "boxoffice.test.payment.pg")
        logger.logLevel = .warning
        let client = PostgresClient(configuration: configuration, options: .init(maximumConnections: 8), logger: logger)
        do {
            try await PaymentSchema.migrate(client, logger: logger)
            let result = try await body(PostgresPaymentStore(client: client), client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }
}

/// The same behaviour tests for every ``PaymentStore``: the in-memory one and PostgreSQL.
@Suite("Payment: store contract (in memory and PostgreSQL)")
struct PaymentStoreContractTests {
    @Test("insert is unique by booking; commit checks the version and the event id; the outbox follows", arguments: StoreKind.allCases)
    func insertCommitAndOutbox(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var pending = payment(.pending)
            pending.metadata = ["event": "ev-1", "seats": "A1,A2"]
            #expect(try await store.insert(pending) == nil)
            var twin = payment(.pending)
            twin.id = "pay-other"
            #expect(try await store.insert(twin) == pending, "a second payment for the booking is refused")
            #expect(try await store.payment(.paymentID("pay-other")) == nil)

            let captured = pending.apply(.chargeAnswered(.succeeded(chargeID: "ch_1")), at: t0.plus(1), policy: defaultPolicy)
            #expect(try await store.commit(captured, processedEventID: nil))
            #expect(try await store.payment(.providerChargeID("ch_1")) == captured.payment)
            #expect(try await store.payment(.bookingID("b-1")) == captured.payment)
            #expect(try await store.payment(.paymentID("pay-b-1")) == captured.payment)

            // A transition derived from the old version loses and writes nothing.
            let stale = pending.apply(.chargeAnswered(.failed(chargeID: nil, code: "card_declined", message: "")),
                                      at: t0.plus(2), policy: defaultPolicy)
            #expect(try await store.commit(stale, processedEventID: nil) == false)
            #expect(try await store.payment(.bookingID("b-1"))?.status == .captured)

            // An event id is recorded once, with or without a change; a refused commit records nothing.
            #expect(try await store.commit(stale, processedEventID: "evt_stale") == false)
            #expect(try await store.isEventProcessed("evt_stale") == false)
            let ignored = captured.payment.apply(.chargeUnanswered, at: t0.plus(3), policy: defaultPolicy)
            #expect(try await store.commit(ignored, processedEventID: "evt_1"))
            #expect(try await store.isEventProcessed("evt_1"))
            #expect(try await store.commit(ignored, processedEventID: "evt_1") == false)

            // The CAPTURED notification is due at once, until acknowledged; failures reschedule it.
            var due = try await store.notificationsDue(at: t0.plus(1), limit: 10)
            #expect(due.map(\.id) == ["pay-b-1/CAPTURED"])
            #expect(due.first?.amount == usd(1000))
            due[0].deliveryFailed(at: t0.plus(2), retry: Backoff(initial: .seconds(4), maximum: .seconds(60)))
            try await store.updateNotification(due[0])
            #expect(try await store.notificationsDue(at: t0.plus(5), limit: 10).isEmpty)
            due = try await store.notificationsDue(at: t0.plus(6), limit: 10)
            #expect(due.map(\.failedAttempts) == [1])
            due[0].acknowledge(at: t0.plus(7))
            try await store.updateNotification(due[0])
            #expect(try await store.notificationsDue(at: t0.plus(10_000), limit: 10).isEmpty)
        }
    }

    @Test("refunds round-trip, and a key learnt after a webhook is kept", arguments: StoreKind.allCases)
    func refunds(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let captured = payment(.captured, amount: 5000)
            #expect(try await store.insert(captured) == nil)
            // The provider's webhook tells of a partial refund before our own answer arrives.
            let webhook = ProviderWebhookEvent(id: "evt_r1", createdAt: t0.plus(9), sequence: 2, body: .chargeRefunded(
                ProviderRefund(refundID: "re_1", chargeID: "ch_1", amount: 2000, reason: "seats gone")))
            let first = captured.apply(.webhook(webhook), at: t0.plus(10), policy: defaultPolicy)
            #expect(try await store.commit(first, processedEventID: "evt_r1"))
            let answer = first.payment.apply(.refundAnswered(ProviderRefund(
                refundID: "re_1", chargeID: "ch_1", amount: 2000, reason: "seats gone", idempotencyKey: "k-1")),
                at: t0.plus(11), policy: defaultPolicy)
            #expect(try await store.commit(answer, processedEventID: nil))
            let rest = answer.payment.apply(.refundAnswered(ProviderRefund(
                refundID: "re_2", chargeID: "ch_1", amount: 3000, reason: "rest", idempotencyKey: "k-2")),
                at: t0.plus(12), policy: defaultPolicy)
            #expect(try await store.commit(rest, processedEventID: nil))
            let stored = try #require(try await store.payment(.bookingID("b-1")))
            #expect(stored == rest.payment)
            #expect(stored.status == .refunded)
            #expect(stored.refunds.map(\.idempotencyKey) == ["k-1", "k-2"])
            #expect(stored.refundedAmount == 5000)
            let due = try await store.notificationsDue(at: t0.plus(20), limit: 10)
            #expect(due.map(\.id) == ["pay-b-1/CAPTURED", "pay-b-1/REFUNDED"] || due.map(\.id) == ["pay-b-1/REFUNDED"])
            #expect(due.map(\.status).contains(.refunded))
        }
    }

    @Test("the reconciler scan returns PENDING payments whose look is due, oldest first", arguments: StoreKind.allCases)
    func reconcileScan(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let early = payment(.pending, booking: "b-early", createdAt: t0)
            let late = payment(.pending, booking: "b-late", createdAt: t0.plus(20))
            _ = try await store.insert(late)
            _ = try await store.insert(early)
            _ = try await store.insert(payment(.captured, booking: "b-done"))
            let policy = ReconcilerPolicy()
            #expect(try await store.paymentsToReconcile(at: t0.plus(29), policy: policy, limit: 10).isEmpty)
            #expect(try await store.paymentsToReconcile(at: t0.plus(30), policy: policy, limit: 10).map(\.bookingID) == ["b-early"])
            #expect(try await store.paymentsToReconcile(at: t0.plus(50), policy: policy, limit: 10).map(\.bookingID) == ["b-early", "b-late"])
            #expect(try await store.paymentsToReconcile(at: t0.plus(50), policy: policy, limit: 1).map(\.bookingID) == ["b-early"])
            // Past its deadline a payment is due for its alert even while its call is in flight.
            let inFlight = payment(.pending, booking: "b-flight", createdAt: t0.plus(100), deadline: t0.plus(110))
            _ = try await store.insert(inFlight)
            #expect(try await store.paymentsToReconcile(at: t0.plus(111), policy: policy, limit: 10).map(\.bookingID)
                    == ["b-early", "b-late", "b-flight"])
        }
    }

    @Test("racing inserts and commits: exactly one wins", arguments: StoreKind.allCases)
    func races(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        var candidate = payment(.pending, booking: "b-race")
                        candidate.id = "pay-race-\(index)"
                        return try await store.insert(candidate) == nil
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == 1)
            let stored = try #require(try await store.payment(.bookingID("b-race")))
            let commits = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        let result: ProviderChargeResult = index % 2 == 0
                            ? .succeeded(chargeID: "ch_race_\(index)") : .failed(chargeID: nil, code: "card_declined", message: "")
                        let transition = stored.apply(.chargeAnswered(result), at: t0.plus(5), policy: defaultPolicy)
                        return try await store.commit(transition, processedEventID: nil)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(commits == 1)
            let settled = try #require(try await store.payment(.bookingID("b-race")))
            #expect(settled.version == stored.version + 1)
            #expect(try await store.notificationsDue(at: t0.plus(6), limit: 10).count == 1)
        }
    }
}

@Suite("Payment: migrations from the bundled Schema resource")
struct PaymentMigrationTests {
    @Test("the migrations apply once through the shared migrator; a second run applies nothing")
    func migratesOnce() async throws {
        try await PostgresTestEnvironment.withDatabase("paymig") { configuration in
            let logger = Logger(label: "boxoffice.test.payment.migrate")
            let client = PostgresClient(configuration: configuration, logger: logger)
            defer { Task { await client.shutdown() } }
            #expect(try PaymentSchema.migrations().map(\.version) == [1])
            #expect(try await PaymentSchema.migrate(client, logger: logger) == [1])
            #expect(try await PaymentSchema.migrate(client, logger: logger) == [])
            let tables = try await client.query("""
                SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1
                """).map { try $0.decode(String.self, column: 0) }
            #expect(tables == ["outcome_outbox", "payment_refunds", "payments", "processed_webhook_events", "schema_migrations"])
            await client.shutdown()
        }
    }
}
