import BoxOfficeRedis

/// The Redis keys of one event, all under the hash tag `{ev:ID}` so every script touches one
/// cluster slot. The order is the one the scripts read from `KEYS` (see ``LuaPrelude``).
struct RedisEventKeys {
    let all: [String]

    init(prefix: String, eventID: Int64) {
        let base = "\(prefix){ev:\(eventID)}:"
        all = ["meta", "seats", "seathold", "layout", "avail", "ga", "holders", "idem", "expiry", "holds", "ended"]
            .map { base + $0 }
    }

    var seats: String { all[1] }
    var seatHolds: String { all[2] }
    var ga: String { all[5] }
    var holds: String { all[9] }
    var meta: String { all[0] }
}

/// The compiled scripts, one per operation.
enum InventoryScripts {
    static let holdSeats = RedisScript(HoldSeatsScript.source)
    static let holdBestAvailable = RedisScript(HoldBestAvailableScript.source)
    static let holdGeneralAdmission = RedisScript(HoldGeneralAdmissionScript.source)
    static let release = RedisScript(ReleaseHoldScript.source)
    static let confirmCheck = RedisScript(ConfirmCheckScript.source)
    static let confirmFinish = RedisScript(ConfirmFinishScript.source)
    static let pin = RedisScript(PinHoldScript.source)
    static let expire = RedisScript(ExpireHoldsScript.source)
    static let load = RedisScript(LoadEventScript.source)
    static let forcedLoad = RedisScript(LoadEventScript.forcedSource)
}
