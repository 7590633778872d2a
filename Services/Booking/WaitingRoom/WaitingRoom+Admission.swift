public import Foundation
import BoxOfficeRedis

extension WaitingRoom {
    /// One admission round over every room: run it every 100–250 ms (``RecurringWork``).
    ///
    /// A room that fails is logged and skipped; the others still run.
    public func admitDue(now: Date) async throws(WaitingRoomError) -> AdmissionRoundReport {
        let members: RESPValue
        do {
            members = try await redis.send("SMEMBERS", WaitingRoomKeys.events(prefix: keyPrefix)).throwingServerError()
        } catch {
            throw .unavailable("listing waiting rooms: \(error)")
        }
        var report = AdmissionRoundReport()
        for eventID in (members.array ?? []).compactMap({ $0.integer }).sorted() {
            do {
                if let round = try await admitDue(eventID: eventID, now: now) { report.rooms.append(round) }
            } catch {
                logger.warning("admission round failed", metadata: ["booking.event": "\(eventID)", "error": "\(error)"])
            }
        }
        return report
    }

    /// One admission round of `eventID`'s room; `nil` when it has no room, or when another
    /// instance ran a round of it in the meantime (that round counts instead).
    public func admitDue(eventID: Int64, now: Date) async throws(WaitingRoomError) -> RoomAdmission? {
        let keys = keys(eventID)
        let replies: [RESPValue]
        do {
            replies = try await redis.execute([
                RedisCommand("HMGET", keys.config, "settings", "credit", "last_round", "rate", "rate_changed", "version"),
                RedisCommand("ZCARD", keys.line),
            ])
        } catch {
            throw .unavailable("reading waiting room of event \(eventID): \(error)")
        }
        guard let fields = replies[0].array, fields.count == 6, let json = fields[0].string else { return nil }
        let settings = try WaitingRoomSettings.decode(json)
        let state = AdmissionState(credit: fields[1].string.flatMap(Double.init) ?? 0, lastRound: fields[2].integer,
                                   ratePerSecond: fields[3].string.flatMap(Double.init), lastRateChange: fields[4].integer)
        let nowMilliseconds = WaitingRoomTime.milliseconds(now)
        let decision = settings.admission.nextRound(from: state, now: nowMilliseconds, saleOpensAt: settings.saleOpensAtMilliseconds,
                                                    waiting: Int(replies[1].integer ?? 0), health: health())
        let rate = decision.state.ratePerSecond ?? settings.admission.initialRate
        let reply = try await run(WaitingRoomScripts.admitRound, eventID, [
            fields[5].string ?? "0", nowMilliseconds, decision.admit, String(decision.state.credit),
            decision.state.lastRound ?? nowMilliseconds, String(rate), decision.state.lastRateChange.map { String($0) } ?? "",
            Self.sweepLimit,
        ])
        guard let values = reply.array, let applied = values.first?.integer else {
            throw .unavailable("admission round of event \(eventID) answered \(reply)")
        }
        guard applied == 1, values.count >= 4 else { return nil }
        let round = RoomAdmission(eventID: eventID, admittedTicketIDs: values.dropFirst(4).compactMap(\.string),
                                  abandoned: Int(values[2].integer ?? 0), stillWaiting: Int(values[3].integer ?? 0),
                                  ratePerSecond: rate)
        metrics.recordRound(eventID: eventID, admitted: round.admittedTicketIDs.count, abandoned: round.abandoned,
                            waiting: round.stillWaiting, ratePerSecond: rate)
        if !round.admittedTicketIDs.isEmpty || round.abandoned > 0 {
            logger.debug("admission round", metadata: [
                "booking.event": "\(eventID)", "booking.waiting_room.admitted": "\(round.admittedTicketIDs.count)",
                "booking.waiting_room.abandoned": "\(round.abandoned)", "booking.waiting_room.waiting": "\(round.stillWaiting)",
            ])
        }
        return round
    }
}

/// What one admission round did in one room.
public struct RoomAdmission: Sendable, Hashable {
    /// The event whose room this is.
    public var eventID: Int64
    /// Tickets admitted, in admission order.
    public var admittedTicketIDs: [String]
    /// Silent users who lost their place in this round.
    public var abandoned: Int
    /// Users still waiting after the round.
    public var stillWaiting: Int
    /// The rate in force after the round.
    public var ratePerSecond: Double
}

/// What one admission round did in every room.
public struct AdmissionRoundReport: Sendable, Hashable {
    /// One entry per room whose round ran.
    public var rooms: [RoomAdmission] = []
    /// Users admitted in all rooms.
    public var admitted: Int { rooms.reduce(0) { $0 + $1.admittedTicketIDs.count } }
}
