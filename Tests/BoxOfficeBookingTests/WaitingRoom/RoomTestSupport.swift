import BoxOfficeBooking
import BoxOfficeHarness
import BoxOfficeRedis
import Foundation
import Logging
import Synchronization
import Testing

/// A fake wall clock the tests move by hand; rounds and heartbeats read it, nothing sleeps.
struct RoomClock {
    /// 2026-01-01T00:00:00Z, a round instant so failures read easily.
    static let origin = Date(timeIntervalSince1970: 1_767_225_600)
    var now = origin

    mutating func advance(_ duration: Duration) {
        now += Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// A Redis client on the shared test server and a key prefix no other test uses; keys are removed after.
enum RoomRedis {
    static let secret = "test-admission-secret-0123456789abcdef"

    static func signer() throws -> AdmissionTokenSigner { try AdmissionTokenSigner(secret: secret) }

    static func withClient<Result>(_ body: (RedisClient, String) async throws -> Result) async throws -> Result {
        let configuration = try await RedisTestEnvironment.sharedConfiguration()
        let client = try await RedisClient.connect(configuration: configuration, connectionCount: 2)
        let prefix = RedisTestEnvironment.uniqueKeyPrefix("wr")
        do {
            let result = try await body(client, prefix)
            try await cleanUp(prefix, client)
            await client.close()
            return result
        } catch {
            try? await cleanUp(prefix, client)
            await client.close()
            throw error
        }
    }

    /// A room on a fresh prefix.
    static func withRoom<Result>(seed: UInt64 = 1, health: @escaping @Sendable () -> DownstreamHealth? = { nil },
                                 _ body: (WaitingRoom, RedisClient, String) async throws -> Result) async throws -> Result {
        try await withClient { client, prefix in
            let room = WaitingRoom(redis: client, keyPrefix: prefix, signer: try signer(), health: health,
                                   random: SplitMix64(seed: seed), logger: Logger(label: "test.waiting-room"))
            return try await body(room, client, prefix)
        }
    }

    private static func cleanUp(_ prefix: String, _ client: RedisClient) async throws {
        let pattern = prefix.replacingOccurrences(of: "{", with: "\\{").replacingOccurrences(of: "}", with: "\\}") + "*"
        let keys = try await client.scanAll(matching: pattern)
        if !keys.isEmpty { try await client.delete(keys) }
    }
}

extension WaitingRoomSettings {
    /// A room opening at `opensAt` with a fixed rate.
    static func fixed(opensAt: Date, perSecond: Double, batch: Int, abandonAfter: Duration = .seconds(60),
                      admissionWindow: Duration = .seconds(600)) -> WaitingRoomSettings {
        WaitingRoomSettings(saleOpensAt: opensAt, admission: AdmissionPolicy(batchSize: batch, rate: .fixed(perSecond: perSecond)),
                            abandonAfter: abandonAfter, admissionWindow: admissionWindow)
    }
}

extension WaitingRoom {
    /// Runs rounds every `step` for `duration` of fake time, each user in `polling` polling first;
    /// returns the admitted ticket ids in admission order.
    func drive(_ eventID: Int64, clock: inout RoomClock, for duration: Duration, step: Duration,
               polling: [(ticket: String, user: String)] = []) async throws -> [String] {
        var admitted: [String] = []
        let rounds = Int(duration / step)
        precondition(rounds <= 10_000, "a test drives at most 10 000 rounds")
        for _ in 0..<rounds {
            clock.advance(step)
            for (ticket, user) in polling { _ = try await status(ticketID: ticket, userID: user, now: clock.now) }
            if let round = try await admitDue(eventID: eventID, now: clock.now) { admitted += round.admittedTicketIDs }
        }
        return admitted
    }
}

/// A fake clock that `@Sendable` closures can read while the test moves it.
final class RoomSharedClock: Sendable {
    private let instant = Mutex(RoomClock.origin)

    var now: Date { instant.withLock { $0 } }

    func advance(_ duration: Duration) {
        instant.withLock { $0 += Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
    }

    /// Reads the clock; pass as `clock:`.
    var read: @Sendable () -> Date { { [self] in self.now } }
}

/// What concurrent test code saw, in order; shareable between tasks.
final class RoomLog<Element: Sendable>: Sendable {
    private let elements = Mutex<[Element]>([])

    func append(_ element: Element) { elements.withLock { $0.append(element) } }
    var all: [Element] { elements.withLock { $0 } }
    var last: Element? { elements.withLock { $0.last } }
}
