public import Foundation
public import BoxOfficeAPI
public import BoxOfficeRPC

/// The waiting-room half of `BookingService`: the booking service's EnterQueue, GetQueueStatus and
/// WatchQueue methods call these, and HoldSeats calls ``verifyAdmission(token:userID:eventID:)``.
/// Every failure is an `RPCError` with the status a client can act on: INVALID_ARGUMENT for bad
/// input, NOT_FOUND for an unknown event or ticket, PERMISSION_DENIED for another user's ticket or
/// a bad admission token, UNAVAILABLE when Redis is down. Bad input changes nothing.
public struct WaitingRoomRPC: Sendable {
    /// Settings for an event that has no room yet, or `nil` when the event does not exist.
    public typealias RoomProvisioner = @Sendable (_ eventID: Int64) async throws -> WaitingRoomSettings?

    /// The rooms.
    public let room: WaitingRoom
    private let provision: RoomProvisioner?
    private let watchInterval: Duration
    private let clock: @Sendable () -> Date

    /// Creates the handlers.
    ///
    /// - Parameters:
    ///   - provision: Called when a user enters the queue of an event without a room, to open one
    ///     (for example from inventory's `GetEvent`: `sale_starts_at` and the service's default
    ///     rate). `nil` answers NOT_FOUND for such events.
    ///   - watchInterval: How often WatchQueue looks for changes (each look is a heartbeat).
    ///   - clock: The wall clock (tests pass a fake one).
    public init(room: WaitingRoom, provision: RoomProvisioner? = nil, watchInterval: Duration = .seconds(1),
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.room = room
        self.provision = provision
        self.watchInterval = watchInterval
        self.clock = clock
    }

    /// EnterQueue: a ticket and its status; the same ticket again for a user already in line.
    public func enterQueue(_ request: Boxoffice_Booking_V1_EnterQueueRequest) async throws(RPCError)
        -> Boxoffice_Booking_V1_EnterQueueResponse {
        let status: WaitingRoomStatus
        do {
            status = try await room.enter(eventID: request.eventID, userID: request.userID, now: clock())
        } catch .unknownEvent(let eventID) where provision != nil {
            try await openRoom(eventID)
            status = try await Self.mapping { () async throws(WaitingRoomError) in
                try await room.enter(eventID: request.eventID, userID: request.userID, now: clock())
            }
        } catch {
            throw error.rpcError
        }
        var response = Boxoffice_Booking_V1_EnterQueueResponse()
        response.ticket = Boxoffice_Booking_V1_QueueTicket(status.ticket)
        response.status = Boxoffice_Booking_V1_QueueStatus(status)
        return response
    }

    /// GetQueueStatus: position, estimated wait, and the admission token once admitted.
    public func queueStatus(_ request: Boxoffice_Booking_V1_GetQueueStatusRequest) async throws(RPCError)
        -> Boxoffice_Booking_V1_QueueStatus {
        try Self.validateTicket(request.ticketID)
        return Boxoffice_Booking_V1_QueueStatus(try await Self.mapping { () async throws(WaitingRoomError) in
            try await room.status(ticketID: request.ticketID, userID: request.userID, now: clock())
        })
    }

    /// WatchQueue: sends the status at once and again whenever position, length or state changes,
    /// until admitted or expired (the last message says which) or until the call is cancelled.
    ///
    /// - Parameter send: Writes one message to the stream (the server's `RPCWriter.write`).
    public func watchQueue(_ request: Boxoffice_Booking_V1_WatchQueueRequest,
                           send: @Sendable (Boxoffice_Booking_V1_QueueStatus) async throws -> Void) async throws {
        try Self.validateTicket(request.ticketID)
        do {
            try await room.watch(ticketID: request.ticketID, userID: request.userID, every: watchInterval, clock: clock) { status in
                try await send(Boxoffice_Booking_V1_QueueStatus(status))
            }
        } catch let error as WaitingRoomError {
            throw error.rpcError
        }
    }

    /// Checks a HoldSeats admission token without any database read.
    ///
    /// - Throws: PERMISSION_DENIED saying what was wrong (missing, forged, expired, other user or event).
    public func verifyAdmission(token: String, userID: String, eventID: Int64) throws(RPCError) -> AdmissionToken {
        do {
            return try room.signer.verify(token, userID: userID, eventID: eventID, now: clock())
        } catch {
            throw error.rpcError
        }
    }

    private func openRoom(_ eventID: Int64) async throws(RPCError) {
        let settings: WaitingRoomSettings?
        do {
            settings = try await provision?(eventID)
        } catch let error as RPCError where error.code == .notFound {
            settings = nil
        } catch let error as RPCError {
            throw RPCError(code: .unavailable, message: "cannot open the waiting room of event \(eventID): \(error.message)", cause: error)
        } catch {
            throw RPCError(code: .unavailable, message: "cannot open the waiting room of event \(eventID): \(error)", cause: error)
        }
        guard let settings else { throw WaitingRoomError.unknownEvent(eventID).rpcError }
        try await Self.mapping { () async throws(WaitingRoomError) in
            try await room.configure(eventID: eventID, settings: settings)
        }
    }

    private static func validateTicket(_ ticketID: String) throws(RPCError) {
        guard !ticketID.isEmpty else { throw RPCError(code: .invalidArgument, message: "ticket_id is required") }
    }

    private static func mapping<T>(_ body: () async throws(WaitingRoomError) -> T) async throws(RPCError) -> T {
        do {
            return try await body()
        } catch {
            throw error.rpcError
        }
    }
}

extension WaitingRoomError {
    /// The gRPC status for this error.
    public var rpcError: RPCError {
        switch self {
        case .invalidArgument: RPCError(code: .invalidArgument, message: description)
        case .unknownEvent, .unknownTicket: RPCError(code: .notFound, message: description)
        case .otherUsersTicket: RPCError(code: .permissionDenied, message: description)
        case .unavailable: RPCError(code: .unavailable, message: description)
        }
    }
}

extension AdmissionTokenError {
    /// PERMISSION_DENIED with what was wrong.
    public var rpcError: RPCError { RPCError(code: .permissionDenied, message: description) }
}
