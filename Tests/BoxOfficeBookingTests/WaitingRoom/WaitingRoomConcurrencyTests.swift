import BoxOfficeBooking
import Foundation
import Testing

/// Many users at once: one ticket per user, one place per ticket, nobody admitted twice.
@Suite struct WaitingRoomConcurrencyTests {
    @Test func concurrentEntriesGiveOneTicketPerUserAndDistinctPlaces() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            let opensAt = RoomClock.origin
            try await room.configure(eventID: 9, settings: .fixed(opensAt: opensAt, perSecond: 1_000, batch: 50))
            // 100 users, each entering 3 times concurrently with everyone else.
            let statuses = try await withThrowingTaskGroup(of: WaitingRoomStatus.self) { group in
                for attempt in 0..<300 {
                    group.addTask { try await room.enter(eventID: 9, userID: "user-\(attempt % 100)", now: opensAt) }
                }
                var all: [WaitingRoomStatus] = []
                for try await status in group { all.append(status) }
                return all
            }
            let ticketsByUser = Dictionary(grouping: statuses, by: \.ticket.userID).mapValues { Set($0.map(\.ticket.id)) }
            #expect(ticketsByUser.count == 100)
            #expect(ticketsByUser.values.allSatisfy { $0.count == 1 }, "entering again never makes a second ticket")

            var positions: [Int] = []
            for (user, tickets) in ticketsByUser {
                positions.append(try await room.status(ticketID: tickets.first!, userID: user, now: opensAt).position)
            }
            #expect(positions.sorted() == Array(1...100))

            // Two rounds at once, twice: every ticket admitted exactly once.
            var admitted: [String] = []
            for step in 1...2 {
                let now = opensAt.addingTimeInterval(Double(step) * 0.1)
                async let first = room.admitDue(eventID: 9, now: now)
                async let second = room.admitDue(eventID: 9, now: now)
                admitted += (try await first)?.admittedTicketIDs ?? []
                admitted += (try await second)?.admittedTicketIDs ?? []
            }
            #expect(admitted.count == 100)
            #expect(Set(admitted) == Set(ticketsByUser.values.flatMap { $0 }))
        }
    }
}
