import Foundation

extension WaitingRoomStatus {
    /// The status a script reply describes at `now` (milliseconds): admission lapses and wait
    /// estimates are worked out here, so Redis stores only facts.
    static func from(_ reply: WaitingRoomReply, eventID: Int64, now: Int64, signer: AdmissionTokenSigner)
        throws(WaitingRoomError) -> WaitingRoomStatus {
        guard let record = reply.ticket else { throw .unavailable("waiting-room reply carries no ticket") }
        let settings = try reply.decodedSettings()
        let ticket = WaitingRoomTicket(id: record.id, eventID: eventID, userID: record.user,
                                       enteredAt: WaitingRoomTime.date(Int64(record.entered)), early: record.early)
        var status = WaitingRoomStatus(ticket: ticket, state: .waiting, position: 0, queueLength: reply.length ?? 0,
                                       estimatedWait: .zero, admissionToken: nil, asOf: WaitingRoomTime.date(now))
        switch record.state {
        case "waiting":
            status.position = reply.position ?? 0
            status.estimatedWait = estimatedWait(position: status.position, now: now, settings: settings,
                                                 rate: reply.rate ?? settings.admission.initialRate)
        case "admitted":
            let admittedAt = Int64(record.admitted ?? 0)
            let expiry = admittedAt + WaitingRoomTime.milliseconds(settings.admissionWindow)
            if now < expiry {
                status.state = .admitted(at: WaitingRoomTime.date(admittedAt))
                status.admissionToken = signer.sign(userID: record.user, eventID: eventID, expiresAt: WaitingRoomTime.date(expiry))
            } else {
                status.state = .expired(.admissionLapsed)
            }
        default:
            status.state = .expired(WaitingRoomState.ExpiryReason(rawValue: record.reason ?? "") ?? .abandoned)
        }
        return status
    }

    /// Time to the sale's opening, plus the users up to `position` at `rate` (0 when paused).
    static func estimatedWait(position: Int, now: Int64, settings: WaitingRoomSettings, rate: Double) -> Duration {
        let untilOpening = max(0, settings.saleOpensAtMilliseconds - now)
        guard rate > 0, position > 0 else { return .milliseconds(untilOpening) }
        let seconds = Double(position) / rate
        return .milliseconds(untilOpening + Int64((seconds * 1_000).rounded(.up)))
    }
}
