/// The Redis keys of one event's waiting room, all under the hash tag `{ev:ID}` so each script
/// touches one cluster slot. The order is the one the scripts read from `KEYS` (see
/// ``WaitingRoomLua``).
struct WaitingRoomKeys {
    let all: [String]

    init(prefix: String, eventID: Int64) {
        let base = "\(prefix){ev:\(eventID)}:wr:"
        all = ["config", "users", "tickets", "line", "seen"].map { base + $0 }
    }

    var config: String { all[0] }
    var line: String { all[3] }

    /// The set of event ids with a waiting room, read by each admission round. It is a key of its
    /// own (its own slot) and is never passed to a script.
    static func events(prefix: String) -> String { "\(prefix)wr:events" }
}
