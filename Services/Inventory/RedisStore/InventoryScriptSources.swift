/// The Lua the redis store runs and the keys it runs it on, for tools that replay a script
/// outside the service (Benchmarks/inventory runs the GA hold script under redis-benchmark).
public enum InventoryScriptSources {
    /// The general-admission hold script (``HoldGeneralAdmissionScript``).
    public static var holdGeneralAdmission: String { HoldGeneralAdmissionScript.source }

    /// The eleven keys, in `KEYS` order, of event `eventID` for a store whose key prefix is `prefix`.
    public static func keys(prefix: String, eventID: Int64) -> [String] {
        RedisEventKeys(prefix: prefix, eventID: eventID).all
    }
}
