public import BoxOfficeAPI
public import BoxOfficeRPC
import Foundation
public import Logging

/// `boxoffice.booking.v1.BookingService`: the waiting room (delegated to ``WaitingRoomRPC``), HoldSeats
/// behind an admission token and a per-user rate limit, Checkout, Cancel, reads, and payment's
/// outcome notifications, all driving the bookings' sagas through ``SagaDriver``.
///
/// Every failure is an `RPCError` a client can act on; bad input changes nothing.
public struct BookingService: Boxoffice_Booking_V1_BookingService.SimpleServiceProtocol {
    /// How long calls wait for the saga before answering with the state reached so far.
    public struct Timing: Sendable {
        /// HoldSeats waits this long for inventory's answer (then UNAVAILABLE: retry with the same key).
        public var holdWait: Duration = .seconds(10)
        /// Checkout waits this long for the charge to be decided (then PAYMENT_PENDING).
        public var checkoutWait: Duration = .seconds(25)
        /// CancelBooking waits this long for the release.
        public var cancelWait: Duration = .seconds(5)
        /// Creates the defaults.
        public init() {}
    }

    let driver: SagaDriver
    let admission: AdmissionTokenSigner
    let waitingRoom: WaitingRoomRPC?
    let rateLimiter: UserRateLimiter?
    let timing: Timing
    let logger: Logger

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - admission: verifies HoldSeats' admission tokens (the waiting room's signer).
    ///   - waitingRoom: serves EnterQueue / GetQueueStatus / WatchQueue; nil answers UNIMPLEMENTED.
    ///   - rateLimiter: the per-user token bucket in front of HoldSeats; nil for none. When Redis cannot
    ///     answer, the request is let through (failing open keeps sales going; inventory's cap still holds).
    public init(driver: SagaDriver, admission: AdmissionTokenSigner, waitingRoom: WaitingRoomRPC?,
                rateLimiter: UserRateLimiter?, timing: Timing = Timing(), logger: Logger) {
        self.driver = driver
        self.admission = admission
        self.waitingRoom = waitingRoom
        self.rateLimiter = rateLimiter
        self.timing = timing
        self.logger = logger
    }

    var store: BookingStore { driver.store }

    // MARK: Waiting room

    public func enterQueue(request: Boxoffice_Booking_V1_EnterQueueRequest,
                           context: ServerContext) async throws -> Boxoffice_Booking_V1_EnterQueueResponse {
        try await requireWaitingRoom().enterQueue(request)
    }

    public func getQueueStatus(request: Boxoffice_Booking_V1_GetQueueStatusRequest,
                               context: ServerContext) async throws -> Boxoffice_Booking_V1_QueueStatus {
        try await requireWaitingRoom().queueStatus(request)
    }

    public func watchQueue(request: Boxoffice_Booking_V1_WatchQueueRequest,
                           response: RPCWriter<Boxoffice_Booking_V1_QueueStatus>, context: ServerContext) async throws {
        try await requireWaitingRoom().watchQueue(request) { status in try await response.write(status) }
    }

    private func requireWaitingRoom() throws(RPCError) -> WaitingRoomRPC {
        guard let waitingRoom else {
            throw RPCError(code: .unimplemented, message: "this booking instance runs no waiting room")
        }
        return waitingRoom
    }

    // MARK: Reads

    public func getBooking(request: Boxoffice_Booking_V1_GetBookingRequest,
                           context: ServerContext) async throws -> Boxoffice_Booking_V1_GetBookingResponse {
        try BookingRequests.requireId(request.bookingID, "booking_id")
        var response = Boxoffice_Booking_V1_GetBookingResponse()
        response.booking = Boxoffice_Booking_V1_Booking(try await visibleBooking(request.bookingID, userId: request.userID))
        return response
    }

    public func listBookings(request: Boxoffice_Booking_V1_ListBookingsRequest,
                             context: ServerContext) async throws -> Boxoffice_Booking_V1_ListBookingsResponse {
        try BookingRequests.requireId(request.userID, "user_id")
        guard request.eventID >= 0 else { throw BookingRequests.invalid("event_id must not be negative") }
        guard request.pageSize >= 0 else { throw BookingRequests.invalid("page_size must not be negative") }
        let pageSize = request.pageSize == 0 ? 50 : min(Int(request.pageSize), 200)
        if !request.pageToken.isEmpty && !BookingIdentifier.isWellFormed(request.pageToken) {
            throw BookingRequests.invalid("page_token is not a token this service gave out")
        }
        let records = try await store.list(userId: request.userID, eventId: request.eventID, limit: pageSize + 1,
                                           after: request.pageToken.isEmpty ? nil : request.pageToken)
        var response = Boxoffice_Booking_V1_ListBookingsResponse()
        response.bookings = records.prefix(pageSize).map(Boxoffice_Booking_V1_Booking.init)
        if records.count > pageSize, let last = records.prefix(pageSize).last { response.nextPageToken = last.id }
        return response
    }

    /// A booking the user may see: NOT_FOUND for an unknown id, another user's booking (when
    /// `userId` is given) or a request whose hold was never granted.
    func visibleBooking(_ bookingId: String, userId: String) async throws -> BookingRecord {
        guard let record = try await store.load(bookingId), userId.isEmpty || record.saga.userId == userId,
              record.saga.status != nil else {
            throw RPCError(code: .notFound, message: userId.isEmpty
                ? "no booking \(bookingId)" : "no booking \(bookingId) for user \(userId)")
        }
        return record
    }
}

/// Booking ids: `bk-<12 hex digits of milliseconds>-<16 hex random digits>`, so ids sort by creation time.
enum BookingIdentifier {
    static func make(at now: SagaInstant) -> String {
        let time = String(UInt64(max(0, now.millisecondsSinceEpoch)), radix: 16)
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return "bk-" + String(repeating: "0", count: max(0, 12 - time.count)) + time + "-"
            + String(repeating: "0", count: 16 - random.count) + random
    }

    static func isWellFormed(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "bk" && parts[1].count == 12 && parts[2].count == 16
            && (parts[1] + parts[2]).allSatisfy(\.isHexDigit)
    }
}
