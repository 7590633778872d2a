/// Why a waiting-room call failed. ``WaitingRoomRPC`` maps each case to its gRPC status.
public enum WaitingRoomError: Error, Sendable, CustomStringConvertible {
    /// The request itself is wrong (empty user, bad event id, malformed ticket id, bad settings).
    case invalidArgument(String)
    /// No waiting room is configured for the event.
    case unknownEvent(Int64)
    /// No such ticket.
    case unknownTicket(String)
    /// The ticket belongs to another user.
    case otherUsersTicket(String)
    /// Redis could not be reached or answered something unexpected.
    case unavailable(String)

    /// What went wrong, in words a caller can act on.
    public var description: String {
        switch self {
        case .invalidArgument(let message): message
        case .unknownEvent(let event): "event \(event) has no waiting room"
        case .unknownTicket(let ticket): "no waiting-room ticket \(ticket)"
        case .otherUsersTicket(let ticket): "waiting-room ticket \(ticket) belongs to another user"
        case .unavailable(let message): "waiting room unavailable: \(message)"
        }
    }
}
