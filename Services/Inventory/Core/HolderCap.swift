/// The per-holder cap, checked in the same atomic step as the hold in either store.
public enum HolderCap {
    /// Throws RESOURCE_EXHAUSTED when `adding` more tickets to `current` would pass `cap` (0 = no cap).
    public static func check(holderID: String, eventID: Int64, current: Int, adding: Int, cap: Int)
        throws(InventoryError) {
        guard cap > 0, current + adding > cap else { return }
        throw .resourceExhausted(
            "holder \(holderID.prefix(64)) already holds or owns \(current) of at most \(cap) tickets for event \(eventID); \(adding) more would pass the cap")
    }
}
