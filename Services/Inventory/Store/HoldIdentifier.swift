import Foundation

/// Hold ids carry their event (`e<event>-<random>`), so `GetHold(hold_id)` finds the event — and
/// with it the right Redis hash tag — without a lookup.
public enum HoldIdentifier {
    /// A new random hold id for `eventID`.
    public static func make(eventID: Int64) -> String {
        "e\(eventID)-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// A new random sale id.
    public static func makeSale() -> String {
        "s-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// The event of a hold id, or `nil` when `id` is not one.
    public static func eventID(of id: String) -> Int64? {
        guard id.utf8.count <= 64, id.hasPrefix("e"), let dash = id.firstIndex(of: "-") else { return nil }
        return Int64(id[id.index(after: id.startIndex)..<dash])
    }
}
