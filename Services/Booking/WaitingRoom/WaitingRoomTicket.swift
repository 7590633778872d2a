public import Foundation

/// A user's place in an event's waiting room. One live ticket per user and event; a user who lost
/// the place (or whose admission expired) gets a new ticket at the back when entering again.
public struct WaitingRoomTicket: Sendable, Hashable {
    /// `wr-<event>-<random>`: names the event so a status call needs only the ticket id.
    public var id: String
    /// The event whose room this is.
    public var eventID: Int64
    /// The user in line.
    public var userID: String
    /// When the user entered (whole milliseconds).
    public var enteredAt: Date
    /// Entered before the sale opened: admitted in random order with the others who did.
    public var early: Bool
}

/// Where a ticket stands.
public enum WaitingRoomState: Sendable, Hashable {
    /// In line.
    case waiting
    /// Let in at the given instant; the status carries the admission token until it expires.
    case admitted(at: Date)
    /// Lost the place by not polling, or the admission window passed.
    case expired(ExpiryReason)

    /// Why a ticket expired.
    public enum ExpiryReason: String, Sendable, Hashable {
        /// The user stopped asking for their status for longer than the room's abandon-after.
        case abandoned
        /// The admission window passed before the user used it.
        case admissionLapsed
    }
}

/// A ticket's status at one instant, the domain form of `QueueStatus`.
public struct WaitingRoomStatus: Sendable, Hashable {
    /// The ticket this is about.
    public var ticket: WaitingRoomTicket
    /// Waiting, admitted or expired.
    public var state: WaitingRoomState
    /// 1-based place among those waiting; 0 unless waiting.
    public var position: Int
    /// How many are waiting in this room.
    public var queueLength: Int
    /// A rough time until admission (0 unless waiting).
    public var estimatedWait: Duration
    /// Present once admitted and until the token expires.
    public var admissionToken: AdmissionToken?
    /// The instant this status describes.
    public var asOf: Date

    /// Whether the status can no longer change (a watch ends here).
    public var isFinal: Bool {
        if case .waiting = state { return false }
        return true
    }
}
