public import Foundation
public import BoxOfficeRedis
public import Logging
public import Metrics
import Synchronization

/// Per-event waiting rooms in Redis: users enter, poll their status (which is their heartbeat),
/// and are let out in batches at the room's rate with a signed admission token.
///
/// Users who enter before the sale opens are admitted in random order, all before later arrivals,
/// who are admitted in arrival order. A user silent for longer than the room's abandon-after loses
/// the place; the admission round skips such users at no cost, so they never stall the line.
///
/// Every operation is one Lua script on the event's keys (hash tag `{ev:ID}`), so several booking
/// instances can share a room: rounds run by several instances at once are serialised by a
/// version check and admit at the room's rate in total. Nothing here reads a clock: callers pass
/// `now`, so tests drive a fake clock. Thread-safe.
public final class WaitingRoom: Sendable {
    /// Silent users expired per round beyond those the round admits; bounds each script's work.
    static let sweepLimit = 1_000

    let redis: any RedisCommandSender
    let keyPrefix: String
    /// Signs the tokens that statuses of admitted users carry.
    public let signer: AdmissionTokenSigner
    let health: @Sendable () -> DownstreamHealth?
    private let random: Mutex<any RandomNumberGenerator & Sendable>
    let metrics: WaitingRoomMetrics
    let logger: Logger

    /// Creates the waiting rooms of one deployment.
    ///
    /// - Parameters:
    ///   - redis: The booking service's Redis.
    ///   - keyPrefix: Prepended to every key (before the `{ev:ID}` hash tag); tests use a fresh one each.
    ///   - signer: Signs admission tokens; every booking instance needs the same secret.
    ///   - health: The latest downstream health for rooms whose rate follows it (see ``DownstreamHealthTracker``).
    ///   - random: Draws the order of early arrivals; seed it in tests for a reproducible order.
    ///   - metricsFactory: Where the queue-length and admission metrics go.
    public init(redis: any RedisCommandSender, keyPrefix: String = "boxoffice:booking:", signer: AdmissionTokenSigner,
                health: @escaping @Sendable () -> DownstreamHealth? = { nil },
                random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
                metricsFactory: any MetricsFactory = MetricsSystem.factory, logger: Logger) {
        self.redis = redis
        self.keyPrefix = keyPrefix
        self.signer = signer
        self.health = health
        self.random = Mutex(random)
        self.metrics = WaitingRoomMetrics(factory: metricsFactory)
        self.logger = logger
    }

    func keys(_ eventID: Int64) -> WaitingRoomKeys { WaitingRoomKeys(prefix: keyPrefix, eventID: eventID) }

    // MARK: Configuration

    /// Opens or changes the waiting room of `eventID`. Changing keeps the line and the tickets;
    /// a new rate applies from the next round.
    ///
    /// - Throws: ``WaitingRoomError/invalidArgument(_:)`` for unusable settings or event id,
    ///   ``WaitingRoomError/unavailable(_:)`` when Redis fails.
    public func configure(eventID: Int64, settings: WaitingRoomSettings) async throws(WaitingRoomError) {
        try Self.validate(eventID: eventID)
        if let problem = settings.problem { throw .invalidArgument("waiting room of event \(eventID): \(problem)") }
        let reply = try await run(WaitingRoomScripts.configure, eventID, [
            settings.encoded(), settings.saleOpensAtMilliseconds, WaitingRoomTime.milliseconds(settings.abandonAfter),
            WaitingRoomTime.milliseconds(settings.admissionWindow), String(settings.admission.initialRate),
        ])
        do {
            _ = try await redis.send("SADD", WaitingRoomKeys.events(prefix: keyPrefix), String(eventID)).throwingServerError()
        } catch {
            throw .unavailable("registering waiting room of event \(eventID): \(error)")
        }
        logger.info("waiting room configured", metadata: [
            "booking.event": "\(eventID)", "booking.waiting_room.change": "\(reply.string ?? "?")",
        ])
    }

    /// The settings of `eventID`'s room, or `nil` when it has none.
    public func settings(eventID: Int64) async throws(WaitingRoomError) -> WaitingRoomSettings? {
        let json: [UInt8]?
        do {
            json = try await redis.hget(keys(eventID).config, field: "settings")
        } catch {
            throw .unavailable("reading waiting room of event \(eventID): \(error)")
        }
        guard let json else { return nil }
        return try WaitingRoomSettings.decode(String(decoding: json, as: UTF8.self))
    }

    // MARK: Users

    /// Puts `userID` in line for `eventID`, or returns the ticket they already hold there.
    ///
    /// - Throws: ``WaitingRoomError/unknownEvent(_:)`` when the event has no room,
    ///   ``WaitingRoomError/invalidArgument(_:)`` for a bad event or user id.
    public func enter(eventID: Int64, userID: String, now: Date) async throws(WaitingRoomError) -> WaitingRoomStatus {
        try Self.validate(eventID: eventID)
        try Self.validate(userID: userID)
        let earlyKey = random.withLock { $0.next() } % 1_000_000_000_000
        let ticketID = WaitingRoomTicketID.make(eventID: eventID)
        let nowMilliseconds = WaitingRoomTime.milliseconds(now)
        let reply = try WaitingRoomReply.decode(try await run(WaitingRoomScripts.enter, eventID, [
            userID, ticketID, nowMilliseconds, Int64(earlyKey),
        ]))
        try Self.check(reply, eventID: eventID, ticketID: ticketID)
        return try WaitingRoomStatus.from(reply, eventID: eventID, now: nowMilliseconds, signer: signer)
    }

    /// Where `ticketID` stands at `now`; also the user's heartbeat.
    ///
    /// - Throws: ``WaitingRoomError/unknownTicket(_:)``, ``WaitingRoomError/otherUsersTicket(_:)``,
    ///   ``WaitingRoomError/invalidArgument(_:)`` for a malformed ticket id.
    public func status(ticketID: String, userID: String, now: Date) async throws(WaitingRoomError) -> WaitingRoomStatus {
        try Self.validate(userID: userID)
        guard let eventID = WaitingRoomTicketID.eventID(of: ticketID) else {
            throw .invalidArgument("'\(ticketID.prefix(80))' is not a waiting-room ticket id")
        }
        let nowMilliseconds = WaitingRoomTime.milliseconds(now)
        let reply = try WaitingRoomReply.decode(try await run(WaitingRoomScripts.status, eventID, [ticketID, userID, nowMilliseconds]))
        try Self.check(reply, eventID: eventID, ticketID: ticketID)
        return try WaitingRoomStatus.from(reply, eventID: eventID, now: nowMilliseconds, signer: signer)
    }

    // MARK: Plumbing

    func run(_ script: RedisScript, _ eventID: Int64, _ arguments: [any RedisArgument]) async throws(WaitingRoomError) -> RESPValue {
        do {
            return try await redis.evalScript(script, keys: keys(eventID).all, arguments: arguments)
        } catch {
            throw .unavailable("waiting room of event \(eventID): \(error)")
        }
    }

    private static func check(_ reply: WaitingRoomReply, eventID: Int64, ticketID: String) throws(WaitingRoomError) {
        switch reply.err {
        case nil: return
        case "not_configured": throw .unknownEvent(eventID)
        case "not_found": throw .unknownTicket(ticketID)
        case "other_user": throw .otherUsersTicket(ticketID)
        case let code?: throw .unavailable("waiting-room script refused with \(code): \(reply.message ?? "")")
        }
    }

    /// User ids longer than this are refused (they go into keys, records and tokens).
    static let maxUserIDLength = 200

    static func validate(eventID: Int64) throws(WaitingRoomError) {
        guard eventID > 0 else { throw .invalidArgument("event_id must be positive, not \(eventID)") }
    }

    static func validate(userID: String) throws(WaitingRoomError) {
        guard !userID.isEmpty else { throw .invalidArgument("user_id is required") }
        guard userID.utf8.count <= maxUserIDLength else {
            throw .invalidArgument("user_id is longer than \(maxUserIDLength) bytes")
        }
        guard !userID.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidArgument("user_id must not contain control characters")
        }
    }
}

/// The compiled scripts, one per operation.
enum WaitingRoomScripts {
    static let configure = RedisScript(ConfigureRoomScript.source)
    static let enter = RedisScript(EnterQueueScript.source)
    static let status = RedisScript(QueueStatusScript.source)
    static let admitRound = RedisScript(AdmitRoundScript.source)
}
