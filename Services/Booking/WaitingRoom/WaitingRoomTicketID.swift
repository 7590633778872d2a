import Foundation

/// Ticket ids name their event (`wr-<event>-<32 hex>`), so a status call finds the event's keys
/// from the ticket alone.
enum WaitingRoomTicketID {
    static func make(eventID: Int64) -> String {
        "wr-\(eventID)-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// The event a well-formed ticket id names, or `nil` when the id is malformed.
    static func eventID(of ticketID: String) -> Int64? {
        let parts = ticketID.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "wr", let eventID = Int64(parts[1]), eventID > 0, String(eventID) == parts[1],
              parts[2].utf8.count == 32, parts[2].utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { return nil }
        return eventID
    }
}
