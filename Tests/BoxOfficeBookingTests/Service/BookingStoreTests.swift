import BoxOfficeBooking
import BoxOfficeHarness
import BoxOfficePostgres
import Foundation
import Logging
import Testing

/// The booking store on a real PostgreSQL database of its own.
@Suite("Booking store on PostgreSQL")
struct BookingStoreTests {
    static func withStore(_ body: (BookingStore) async throws -> Void) async throws {
        try await PostgresTestEnvironment.withDatabase("bstore") { configuration in
            let client = PostgresClient(configuration: configuration, logger: BookingTestBed.logger)
            do {
                try await BookingSchema.migrate(client, logger: BookingTestBed.logger)
                try await body(BookingStore(client: client))
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
        }
    }

    static func newSaga(_ id: String, user: String = "u1", at ms: Int64 = 1_700_000_000_000) -> (BookingSaga, [SagaAction]) {
        BookingSaga.start(bookingId: id, userId: user, eventId: 7, selection: .generalAdmission(poolCode: "floor", quantity: 2),
                          now: SagaInstant(millisecondsSinceEpoch: ms), policy: SagaPolicy())
    }

    static func claim(_ id: String, key: String, fingerprint: String = "f") -> IdempotencyRecord {
        IdempotencyRecord(userId: "u1", operation: .hold, key: key, fingerprint: fingerprint, bookingId: id)
    }

    @Test("a created booking loads back equal, and its idempotency key cannot create a second one")
    func createAndLoad() async throws {
        try await Self.withStore { store in
            let (saga, _) = Self.newSaga("bk-a")
            #expect(try await store.create(BookingRecord(saga: saga), claim: Self.claim("bk-a", key: "k1")) == .created)
            #expect(try await store.load("bk-a") == BookingRecord(saga: saga))
            let (other, _) = Self.newSaga("bk-b")
            let second = try await store.create(BookingRecord(saga: other), claim: Self.claim("bk-b", key: "k1", fingerprint: "g"))
            #expect(second == .keyAlreadyUsed(Self.claim("bk-a", key: "k1")))
            #expect(try await store.load("bk-b") == nil)
            #expect(try await store.load("missing") == nil)
        }
    }

    @Test("a save is conditional on the version read: the stale writer loses and writes nothing")
    func conditionalSave() async throws {
        try await Self.withStore { store in
            let (saga, _) = Self.newSaga("bk-c")
            _ = try await store.create(BookingRecord(saga: saga), claim: Self.claim("bk-c", key: "k"))
            var granted = saga
            let grant = HoldGrant(holdId: "h1", expiresAt: saga.createdAt + .seconds(600), amount: Money(amountMinor: 100, currency: "USD"))
            _ = try granted.handle(.holdAnswered(.granted(grant)), now: saga.createdAt + .seconds(1), policy: SagaPolicy())
            var seats = BookingRecord(saga: granted, seats: [BookedSeatDetail(seatId: 4, sectionCode: "A", row: "1", number: 4, priceTier: "std")])
            #expect(try await store.save(seats, expectedVersion: saga.version, event: "holdAnswered"))
            seats.paymentId = "p"
            let staleWon = try await store.save(seats, expectedVersion: saga.version, event: "stale")
            #expect(!staleWon)
            let loaded = try #require(try await store.load("bk-c"))
            #expect(loaded.saga == granted)
            #expect(loaded.seats.first?.seatId == 4)
            #expect(loaded.paymentId == "")
            #expect(try await store.history(of: "bk-c").map(\.step) == ["holdRequested", "held"])
        }
    }

    @Test("due sagas: non-terminal ones whose wake-up has come; all non-terminal ones at start-up")
    func dueSagas() async throws {
        try await Self.withStore { store in
            let (early, _) = Self.newSaga("bk-early", at: 1_700_000_000_000)
            let (late, _) = Self.newSaga("bk-late", at: 1_800_000_000_000)
            _ = try await store.create(BookingRecord(saga: early), claim: Self.claim("bk-early", key: "1"))
            _ = try await store.create(BookingRecord(saga: late), claim: Self.claim("bk-late", key: "2"))
            let cut = SagaInstant(millisecondsSinceEpoch: 1_750_000_000_000).date
            #expect(try await store.dueSagas(at: cut, limit: 10) == ["bk-early"])
            #expect(Set(try await store.dueSagas(at: nil, limit: 10)) == ["bk-early", "bk-late"])
        }
    }

    @Test("notification ids are recorded once; stored responses keep the first answer")
    func notificationsAndResponses() async throws {
        try await Self.withStore { store in
            let before = try await store.hasNotification(id: "n1")
            #expect(!before)
            #expect(try await store.recordNotification(id: "n1", bookingId: "b", outcome: "captured"))
            let twice = try await store.recordNotification(id: "n1", bookingId: "b", outcome: "captured")
            #expect(!twice)
            #expect(try await store.hasNotification(id: "n1"))
            let claim = IdempotencyRecord(userId: "u", operation: .checkout, key: "k", fingerprint: "f", bookingId: "b")
            #expect(try await store.claim(claim) == nil)
            try await store.storeResponse([1, 2], userId: "u", operation: .checkout, key: "k")
            try await store.storeResponse([3], userId: "u", operation: .checkout, key: "k")
            #expect(try await store.claim(claim)?.response == [1, 2])
        }
    }
}
