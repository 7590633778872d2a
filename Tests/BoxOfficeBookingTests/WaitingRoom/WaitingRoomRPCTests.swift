import BoxOfficeAPI
import BoxOfficeBooking
import BoxOfficeRPC
import Foundation
import Testing

/// The gRPC face of the waiting room: messages and statuses.
@Suite struct WaitingRoomRPCTests {
    static let event: Int64 = 77

    static func enter(_ user: String, event: Int64 = event) -> Boxoffice_Booking_V1_EnterQueueRequest {
        var request = Boxoffice_Booking_V1_EnterQueueRequest()
        request.eventID = event
        request.userID = user
        return request
    }

    static func statusRequest(_ ticket: String, _ user: String) -> Boxoffice_Booking_V1_GetQueueStatusRequest {
        var request = Boxoffice_Booking_V1_GetQueueStatusRequest()
        request.ticketID = ticket
        request.userID = user
        return request
    }

    static func watchRequest(_ ticket: String, _ user: String) -> Boxoffice_Booking_V1_WatchQueueRequest {
        var request = Boxoffice_Booking_V1_WatchQueueRequest()
        request.ticketID = ticket
        request.userID = user
        return request
    }

    static func code(_ body: () async throws -> Void) async -> RPCError.Code? {
        do {
            try await body()
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            return .unknown
        }
    }

    @Test func enterAndStatusSpeakTheWireMessages() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            let clock = RoomSharedClock()
            let rpc = WaitingRoomRPC(room: room, clock: clock.read)
            try await room.configure(eventID: Self.event, settings: .fixed(opensAt: clock.now.addingTimeInterval(10), perSecond: 5, batch: 1))
            let response = try await rpc.enterQueue(Self.enter("alice"))
            let ticket = try #require(response.ticket)
            #expect(ticket.eventID == Self.event)
            #expect(ticket.userID == "alice")
            #expect(ticket.early)
            #expect(ticket.enteredAt?.date == clock.now)
            let status = try #require(response.status)
            #expect(status.ticketID == ticket.id)
            #expect(status.state == .waiting)
            #expect(status.position == 1)
            #expect(status.queueLength == 1)
            #expect(status.estimatedWait?.duration == .milliseconds(10_200), "10 s to the opening, then 1 user at 5/s")
            #expect(status.admissionToken == nil)

            clock.advance(.seconds(11))
            _ = try await room.admitDue(eventID: Self.event, now: clock.now)
            let admitted = try await rpc.queueStatus(Self.statusRequest(ticket.id, "alice"))
            #expect(admitted.state == .admitted)
            #expect(admitted.position == 0)
            let token = try #require(admitted.admissionToken)
            #expect(token.expiresAt != nil)
            #expect(try rpc.verifyAdmission(token: token.token, userID: "alice", eventID: Self.event).userID == "alice")
        }
    }

    @Test func badInputIsInvalidArgumentAndUnknownThingsAreNotFound() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            let rpc = WaitingRoomRPC(room: room, clock: RoomSharedClock().read)
            try await room.configure(eventID: Self.event, settings: .fixed(opensAt: RoomClock.origin, perSecond: 5, batch: 1))
            let alice = try await rpc.enterQueue(Self.enter("alice")).ticket?.id ?? ""
            #expect(await Self.code { _ = try await rpc.enterQueue(Self.enter("alice", event: 0)) } == .invalidArgument)
            #expect(await Self.code { _ = try await rpc.enterQueue(Self.enter("", event: Self.event)) } == .invalidArgument)
            #expect(await Self.code { _ = try await rpc.enterQueue(Self.enter("alice", event: 999)) } == .notFound)
            #expect(await Self.code { _ = try await rpc.queueStatus(Self.statusRequest("", "alice")) } == .invalidArgument)
            #expect(await Self.code { _ = try await rpc.queueStatus(Self.statusRequest("nonsense", "alice")) } == .invalidArgument)
            #expect(await Self.code { _ = try await rpc.queueStatus(Self.statusRequest(alice, "")) } == .invalidArgument)
            let unknown = "wr-\(Self.event)-" + String(repeating: "f", count: 32)
            #expect(await Self.code { _ = try await rpc.queueStatus(Self.statusRequest(unknown, "alice")) } == .notFound)
            #expect(await Self.code { _ = try await rpc.queueStatus(Self.statusRequest(alice, "mallory")) } == .permissionDenied)
        }
    }

    @Test func aProvisionerOpensRoomsOnFirstEntry() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            let asked = RoomLog<Int64>()
            let rpc = WaitingRoomRPC(room: room, provision: { eventID in
                asked.append(eventID)
                return eventID == 5 ? .fixed(opensAt: RoomClock.origin, perSecond: 3, batch: 2) : nil
            }, clock: RoomSharedClock().read)
            let first = try await rpc.enterQueue(Self.enter("alice", event: 5))
            let second = try await rpc.enterQueue(Self.enter("bob", event: 5))
            #expect(first.status?.position == 1)
            #expect(second.status?.position == 2)
            #expect(try await room.settings(eventID: 5)?.admission.batchSize == 2)
            #expect(await Self.code { _ = try await rpc.enterQueue(Self.enter("alice", event: 6)) } == .notFound)
            #expect(asked.all == [5, 6], "asked once per event without a room")
        }
    }

    @Test func admissionTokenRefusalsArePermissionDenied() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            let clock = RoomSharedClock()
            let rpc = WaitingRoomRPC(room: room, clock: clock.read)
            let token = room.signer.sign(userID: "alice", eventID: Self.event, expiresAt: clock.now.addingTimeInterval(60)).token
            let forged = try AdmissionTokenSigner(secret: "other").sign(userID: "alice", eventID: Self.event,
                                                                         expiresAt: clock.now.addingTimeInterval(60)).token
            let cases: [(String, String, Int64)] = [("", "alice", Self.event), ("junk", "alice", Self.event), (forged, "alice", Self.event),
                                                    (token, "bob", Self.event), (token, "alice", Self.event + 1)]
            for (text, user, event) in cases {
                #expect(throws: RPCError.self) { try rpc.verifyAdmission(token: text, userID: user, eventID: event) }
                do {
                    _ = try rpc.verifyAdmission(token: text, userID: user, eventID: event)
                } catch let error as RPCError {
                    #expect(error.code == .permissionDenied)
                }
            }
            #expect(try rpc.verifyAdmission(token: token, userID: "alice", eventID: Self.event).eventID == Self.event)
            clock.advance(.seconds(61))
            do {
                _ = try rpc.verifyAdmission(token: token, userID: "alice", eventID: Self.event)
                Issue.record("an expired token was accepted")
            } catch let error as RPCError {
                #expect(error.code == .permissionDenied)
                #expect(error.message.contains("expired"))
            }
        }
    }

    @Test func watchQueueStreamsChangesAndEndsWithTheAdmission() async throws {
        try await RoomRedis.withRoom { room, _, _ in
            let clock = RoomSharedClock()
            let rpc = WaitingRoomRPC(room: room, watchInterval: .milliseconds(10), clock: clock.read)
            try await room.configure(eventID: Self.event, settings: .fixed(opensAt: clock.now, perSecond: 10, batch: 1))
            let alice = try #require(try await rpc.enterQueue(Self.enter("alice")).ticket?.id)
            let bob = try #require(try await rpc.enterQueue(Self.enter("bob")).ticket?.id)
            let request = Self.watchRequest(bob, "bob")
            let sent = RoomLog<Boxoffice_Booking_V1_QueueStatus>()
            try await withTimeLimit(seconds: 10) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try await rpc.watchQueue(request) { status in sent.append(status) }
                    }
                    // Admit Alice once the watch saw Bob second, then Bob once it saw him first.
                    group.addTask {
                        try await waitUntil { sent.last?.position == 2 }
                        clock.advance(.milliseconds(100))
                        #expect(try await room.admitDue(eventID: Self.event, now: clock.now)?.admittedTicketIDs == [alice])
                        try await waitUntil { sent.last?.position == 1 }
                        clock.advance(.milliseconds(100))
                        #expect(try await room.admitDue(eventID: Self.event, now: clock.now)?.admittedTicketIDs == [bob])
                    }
                    try await group.waitForAll()
                }
            }
            let states = sent.all
            #expect(states.first?.position == 2)
            #expect(states.last?.state == .admitted)
            #expect(states.last?.admissionToken != nil)
            #expect(states.dropLast().allSatisfy { $0.state == .waiting })
            #expect(states.map(\.position) == [2, 1, 0], "each change is pushed once")
        }
    }
}

private struct RoomTestTimeout: Error {}

/// Runs `body`, cancelling it and failing when it takes longer than `seconds`.
private func withTimeLimit(seconds: Int, _ body: @escaping @Sendable () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
            try await body()
            return true
        }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return false
        }
        defer { group.cancelAll() }
        guard try await group.next() == true else { throw RoomTestTimeout() }
    }
}

/// Waits until `condition` holds, checking every 5 ms, at most 2 000 times.
private func waitUntil(_ condition: @Sendable () -> Bool) async throws {
    for _ in 0..<2_000 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    throw RoomTestTimeout()
}
