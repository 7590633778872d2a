import BoxOfficeBooking
import BoxOfficeRedis
import Foundation
import Logging
import Testing

/// The waiting room against the real Redis, driven by a fake clock.
@Suite struct WaitingRoomLiveTests {
    static let event: Int64 = 42

    @Test func afterOpeningAdmissionOrderIsArrivalOrder() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            var clock = RoomClock()
            try await room.configure(eventID: Self.event, settings: .fixed(opensAt: clock.now, perSecond: 10, batch: 5))
            var arrivals: [String] = []
            for index in 0..<30 {
                clock.advance(.milliseconds(1))
                let status = try await room.enter(eventID: Self.event, userID: "user-\(index)", now: clock.now)
                #expect(!status.ticket.early)
                #expect(status.position == index + 1)
                arrivals.append(status.ticket.id)
            }
            let admitted = try await room.drive(Self.event, clock: &clock, for: .seconds(4), step: .milliseconds(100))
            #expect(admitted == arrivals)
        }
    }

    /// The order of the early arrivals in a room with `seed`, and the late arrivals' place after them.
    static func earlyOrder(seed: UInt64) async throws -> (early: [String], admitted: [String]) {
        try await RoomRedis.withRoom(seed: seed) { room, _, _ in
            var clock = RoomClock()
            let opensAt = clock.now.addingTimeInterval(60)
            try await room.configure(eventID: Self.event, settings: .fixed(opensAt: opensAt, perSecond: 20, batch: 5,
                                                                           abandonAfter: .seconds(600)))
            var users: [String: String] = [:]
            for index in 0..<20 {
                clock.advance(.milliseconds(100))
                let status = try await room.enter(eventID: Self.event, userID: "early-\(index)", now: clock.now)
                #expect(status.ticket.early)
                #expect(status.estimatedWait > .seconds(50), "the wait includes the time until the opening")
                users[status.ticket.id] = "early-\(index)"
            }
            // Rounds before the opening admit nobody.
            #expect(try await room.admitDue(eventID: Self.event, now: clock.now)?.admittedTicketIDs == [])
            clock.now = opensAt
            var late: [String] = []
            for index in 0..<5 {
                clock.advance(.milliseconds(1))
                let status = try await room.enter(eventID: Self.event, userID: "late-\(index)", now: clock.now)
                #expect(!status.ticket.early)
                late.append(status.ticket.id)
            }
            let admitted = try await room.drive(Self.event, clock: &clock, for: .seconds(3), step: .milliseconds(100))
            #expect(admitted.count == 25)
            #expect(Array(admitted.suffix(5)) == late, "every early arrival goes before every later one")
            return (admitted.prefix(20).compactMap { users[$0] }, admitted)
        }
    }

    @Test func earlyArrivalsAreAdmittedInASeededRandomOrderBeforeLaterOnes() async throws {
        let first = try await Self.earlyOrder(seed: 7)
        let replay = try await Self.earlyOrder(seed: 7)
        let other = try await Self.earlyOrder(seed: 8)
        let arrivalOrder = (0..<20).map { "early-\($0)" }
        #expect(Set(first.early) == Set(arrivalOrder))
        #expect(first.early != arrivalOrder, "early arrivals are shuffled")
        #expect(first.early == replay.early, "the same seed gives the same order")
        #expect(first.early != other.early, "another seed gives another order")
    }

    @Test func admissionRateIsKeptWithinTenPercent() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            var clock = RoomClock()
            try await room.configure(eventID: Self.event, settings: .fixed(opensAt: clock.now, perSecond: 25, batch: 5))
            for index in 0..<400 {
                _ = try await room.enter(eventID: Self.event, userID: "user-\(index)", now: clock.now)
            }
            // 8 s at 25/s: 200 admissions expected; rounds every 150 ms of fake time.
            let admitted = try await room.drive(Self.event, clock: &clock, for: .seconds(8), step: .milliseconds(150))
            #expect(abs(Double(admitted.count) - 200) <= 20, "admitted \(admitted.count)")
            #expect(Set(admitted).count == admitted.count, "nobody is admitted twice")
        }
    }

    @Test func roundsOfSeveralInstancesTogetherKeepTheRate() async throws {
        try await RoomRedis.withRoom { room, client, prefix in
            let twin = WaitingRoom(redis: client, keyPrefix: prefix, signer: try RoomRedis.signer(), logger: Logger(label: "twin"))
            var clock = RoomClock()
            try await room.configure(eventID: Self.event, settings: .fixed(opensAt: clock.now, perSecond: 20, batch: 4))
            for index in 0..<300 { _ = try await room.enter(eventID: Self.event, userID: "user-\(index)", now: clock.now) }
            var admitted = 0
            for _ in 0..<50 {
                clock.advance(.milliseconds(100))
                let now = clock.now
                async let first = room.admitDue(eventID: Self.event, now: now)
                async let second = twin.admitDue(eventID: Self.event, now: now)
                admitted += (try await first)?.admittedTicketIDs.count ?? 0
                admitted += (try await second)?.admittedTicketIDs.count ?? 0
            }
            // 5 s at 20/s whatever the number of instances.
            #expect(abs(Double(admitted) - 100) <= 10, "admitted \(admitted)")
        }
    }

    @Test func abandonedUsersDoNotStallAdmission() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            var clock = RoomClock()
            // The sale opens after the silent users have been gone longer than abandon-after.
            try await room.configure(eventID: Self.event, settings: .fixed(opensAt: clock.now.addingTimeInterval(3), perSecond: 10,
                                                                           batch: 5, abandonAfter: .seconds(2)))
            var silent: [String] = []
            var polling: [(ticket: String, user: String)] = []
            for index in 0..<20 {
                clock.advance(.milliseconds(1))
                let user = "user-\(index)"
                let status = try await room.enter(eventID: Self.event, userID: user, now: clock.now)
                // The first ten in line go away and never poll again.
                if index < 10 { silent.append(status.ticket.id) } else { polling.append((status.ticket.id, user)) }
            }
            // 10 users at 10/s take 1 s after the opening: the silent ten among them cost nothing.
            let admitted = try await room.drive(Self.event, clock: &clock, for: .milliseconds(4_400), step: .milliseconds(200),
                                                polling: polling)
            #expect(admitted.count == 10)
            #expect(Set(admitted) == Set(polling.map(\.ticket)), "everyone who kept polling is admitted, on time")
            for (index, ticket) in silent.enumerated() {
                let status = try await room.status(ticketID: ticket, userID: "user-\(index)", now: clock.now)
                #expect(status.state == .expired(.abandoned))
            }
        }
    }

    @Test func silentUsersLoseTheirPlaceEvenBeforeTheOpening() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            var clock = RoomClock()
            try await room.configure(eventID: Self.event, settings: .fixed(opensAt: clock.now.addingTimeInterval(3_600), perSecond: 10,
                                                                           batch: 5, abandonAfter: .seconds(30)))
            let gone = try await room.enter(eventID: Self.event, userID: "gone", now: clock.now)
            let staying = try await room.enter(eventID: Self.event, userID: "staying", now: clock.now)
            for _ in 0..<4 {
                clock.advance(.seconds(10))
                _ = try await room.status(ticketID: staying.ticket.id, userID: "staying", now: clock.now)
            }
            let round = try await room.admitDue(eventID: Self.event, now: clock.now)
            #expect(round?.abandoned == 1)
            #expect(round?.stillWaiting == 1)
            #expect(try await room.status(ticketID: gone.ticket.id, userID: "gone", now: clock.now).state == .expired(.abandoned))
            let again = try await room.enter(eventID: Self.event, userID: "gone", now: clock.now)
            #expect(again.ticket.id != gone.ticket.id, "coming back after losing the place means a new ticket")
            #expect(again.state == .waiting)
        }
    }

    @Test func enteringTwiceReturnsTheSameTicket() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            var clock = RoomClock()
            try await room.configure(eventID: Self.event, settings: .fixed(opensAt: clock.now, perSecond: 10, batch: 5))
            let first = try await room.enter(eventID: Self.event, userID: "alice", now: clock.now)
            _ = try await room.enter(eventID: Self.event, userID: "bob", now: clock.now)
            clock.advance(.seconds(1))
            let second = try await room.enter(eventID: Self.event, userID: "alice", now: clock.now)
            #expect(second.ticket == first.ticket)
            #expect(second.position == 1)
            #expect(second.queueLength == 2)
        }
    }

    @Test func admittedStatusCarriesAVerifiableTokenUntilTheWindowPasses() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            var clock = RoomClock()
            try await room.configure(eventID: Self.event, settings: .fixed(opensAt: clock.now, perSecond: 10, batch: 1,
                                                                           admissionWindow: .seconds(120)))
            let entered = try await room.enter(eventID: Self.event, userID: "alice", now: clock.now)
            #expect(entered.admissionToken == nil)
            clock.advance(.milliseconds(200))
            let round = try await room.admitDue(eventID: Self.event, now: clock.now)
            #expect(round?.admittedTicketIDs == [entered.ticket.id])
            let admittedAt = clock.now
            let status = try await room.status(ticketID: entered.ticket.id, userID: "alice", now: clock.now)
            guard case .admitted(let at) = status.state else {
                Issue.record("not admitted: \(status.state)")
                return
            }
            #expect(abs(at.timeIntervalSince(admittedAt)) < 0.002)
            #expect(status.position == 0)
            let token = try #require(status.admissionToken)
            let verified = try room.signer.verify(token.token, userID: "alice", eventID: Self.event, now: clock.now)
            #expect(abs(verified.expiresAt.timeIntervalSince(admittedAt) - 120) < 0.002)
            // Entering again while admitted answers the admitted ticket.
            #expect(try await room.enter(eventID: Self.event, userID: "alice", now: clock.now).ticket == entered.ticket)

            clock.advance(.seconds(121))
            let lapsed = try await room.status(ticketID: entered.ticket.id, userID: "alice", now: clock.now)
            #expect(lapsed.state == .expired(.admissionLapsed))
            #expect(lapsed.admissionToken == nil)
            #expect(try await room.enter(eventID: Self.event, userID: "alice", now: clock.now).ticket.id != entered.ticket.id)
        }
    }

    @Test func refusalsNameWhatIsWrongAndChangeNothing() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            let clock = RoomClock()
            await #expect(throws: WaitingRoomError.self) { try await room.enter(eventID: 7, userID: "alice", now: clock.now) }
            try await room.configure(eventID: Self.event, settings: .fixed(opensAt: clock.now, perSecond: 10, batch: 5))
            let alice = try await room.enter(eventID: Self.event, userID: "alice", now: clock.now)
            do {
                _ = try await room.status(ticketID: alice.ticket.id, userID: "mallory", now: clock.now)
                Issue.record("another user's ticket was answered")
            } catch let error as WaitingRoomError {
                guard case .otherUsersTicket = error else { throw error }
            }
            let unknown = "wr-\(Self.event)-" + String(repeating: "0", count: 32)
            do {
                _ = try await room.status(ticketID: unknown, userID: "alice", now: clock.now)
                Issue.record("an unknown ticket was answered")
            } catch let error as WaitingRoomError {
                guard case .unknownTicket = error else { throw error }
            }
            for bad in ["", "wr-42-xyz", "wr-0-" + String(repeating: "a", count: 32), "wr-042-" + String(repeating: "a", count: 32)] {
                do {
                    _ = try await room.status(ticketID: bad, userID: "alice", now: clock.now)
                    Issue.record("malformed ticket \(bad) was answered")
                } catch let error as WaitingRoomError {
                    guard case .invalidArgument = error else { throw error }
                }
            }
            for user in ["", String(repeating: "u", count: 201), "tab\there"] {
                do {
                    _ = try await room.enter(eventID: Self.event, userID: user, now: clock.now)
                    Issue.record("bad user id was accepted")
                } catch let error as WaitingRoomError {
                    guard case .invalidArgument = error else { throw error }
                }
            }
            await #expect(throws: WaitingRoomError.self) {
                try await room.configure(eventID: Self.event, settings: .fixed(opensAt: clock.now, perSecond: 10, batch: 0))
            }
            // Nothing changed: still one user in line, and the settings are the first ones.
            let status = try await room.status(ticketID: alice.ticket.id, userID: "alice", now: clock.now)
            #expect(status.queueLength == 1)
            #expect(try await room.settings(eventID: Self.event)?.admission.batchSize == 5)
        }
    }

    @Test func reconfiguringKeepsTheLine() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            var clock = RoomClock()
            try await room.configure(eventID: Self.event, settings: .fixed(opensAt: clock.now, perSecond: 0, batch: 5))
            var tickets: [String] = []
            for index in 0..<6 { tickets.append(try await room.enter(eventID: Self.event, userID: "u\(index)", now: clock.now).ticket.id) }
            #expect(try await room.drive(Self.event, clock: &clock, for: .seconds(1), step: .milliseconds(100)).isEmpty, "rate 0 pauses")
            try await room.configure(eventID: Self.event, settings: .fixed(opensAt: RoomClock.origin, perSecond: 60, batch: 3))
            let admitted = try await room.drive(Self.event, clock: &clock, for: .seconds(1), step: .milliseconds(100))
            #expect(admitted == tickets)
        }
    }

    @Test func admitDueRunsEveryRoom() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            var clock = RoomClock()
            for event: Int64 in [1, 2, 3] {
                try await room.configure(eventID: event, settings: .fixed(opensAt: clock.now, perSecond: 10, batch: 1))
                _ = try await room.enter(eventID: event, userID: "alice", now: clock.now)
            }
            clock.advance(.milliseconds(500))
            let report = try await room.admitDue(now: clock.now)
            #expect(report.rooms.map(\.eventID) == [1, 2, 3])
            #expect(report.admitted == 3)
        }
    }

    @Test func aHealthFollowingRoomSlowsDownWhenHoldsDo() async throws {
        let tracker = DownstreamHealthTracker(staleAfter: .seconds(3_600))
        try await RoomRedis.withRoom(health: { tracker.currentHealth() }) { room, _, _ in
            var clock = RoomClock()
            let rate = HealthFollowingRate(initialPerSecond: 20, minimumPerSecond: 2, maximumPerSecond: 40, increasePerSecond: 5,
                                           latencyTarget: .milliseconds(100), adjustmentInterval: .seconds(1))
            try await room.configure(eventID: Self.event, settings: WaitingRoomSettings(
                saleOpensAt: clock.now, admission: AdmissionPolicy(batchSize: 2, rate: .followingHealth(rate))))
            for index in 0..<200 { _ = try await room.enter(eventID: Self.event, userID: "u\(index)", now: clock.now) }
            tracker.record(latency: .milliseconds(10), failed: false)
            let healthy = try await room.drive(Self.event, clock: &clock, for: .seconds(3), step: .milliseconds(100))
            tracker.record(latency: .seconds(2), failed: false)
            for _ in 0..<10 { tracker.record(latency: .seconds(2), failed: true) }
            let degraded = try await room.drive(Self.event, clock: &clock, for: .seconds(3), step: .milliseconds(100))
            _ = try await room.drive(Self.event, clock: &clock, for: .seconds(3), step: .milliseconds(100))
            let last = try await room.admitDue(eventID: Self.event, now: clock.now)
            #expect(healthy.count > 60, "healthy: at least the initial 20/s for 3 s, got \(healthy.count)")
            #expect(degraded.count < healthy.count / 2, "degraded: the rate halves each second, got \(degraded.count)")
            #expect(last?.ratePerSecond == 2, "down to the minimum")
        }
    }
}

/// Queue length and admissions reach the metrics factory.
@Suite struct WaitingRoomMetricsTests {
    @Test func roundsReportLengthRateAdmissionsAndAbandonment() async throws {
        try await RoomRedis.withClient { client, prefix in
            let metrics = RoomRecordingMetrics()
            let room = WaitingRoom(redis: client, keyPrefix: prefix, signer: try RoomRedis.signer(), metricsFactory: metrics,
                                   logger: Logger(label: "test.metrics"))
            var clock = RoomClock()
            try await room.configure(eventID: 3, settings: .fixed(opensAt: clock.now, perSecond: 10, batch: 2, abandonAfter: .seconds(1)))
            for index in 0..<6 { _ = try await room.enter(eventID: 3, userID: "u\(index)", now: clock.now) }
            clock.advance(.milliseconds(400))
            _ = try await room.admitDue(eventID: 3, now: clock.now)
            #expect(metrics.value("booking_waiting_room_admitted_total", event: 3) == 4)
            #expect(metrics.value("booking_waiting_room_length", event: 3) == 2)
            #expect(metrics.value("booking_waiting_room_admission_rate", event: 3) == 10)
            clock.advance(.seconds(2))
            _ = try await room.admitDue(eventID: 3, now: clock.now)
            #expect(metrics.value("booking_waiting_room_abandoned_total", event: 3) == 2, "the two left went silent")
            #expect(metrics.value("booking_waiting_room_length", event: 3) == 0)
        }
    }
}
