/// Redis against PostgreSQL after convergence: the same seats sold, the same GA sold counts, and
/// Redis's availability counter matching its own seat statuses.
extension HistoryChecker {
    func hotStoreViolations(_ hotStore: HotStoreAudit, _ inventory: InventoryAudit) -> [InvariantViolation] {
        var violations: [InvariantViolation] = []
        let databaseSold = Dictionary(grouping: inventory.sales, by: \.eventID).mapValues { Set($0.flatMap(\.soldSeatIDs)) }
        for event in hotStore.events where event.loaded {
            let hot = Set(event.soldSeatIDs)
            let database = databaseSold[event.eventID] ?? []
            if hot != database {
                let onlyHot = hot.subtracting(database).sorted().prefix(20).map(String.init).joined(separator: ",")
                let onlyDatabase = database.subtracting(hot).sorted().prefix(20).map(String.init).joined(separator: ",")
                violations.append(InvariantViolation(.hotStoreDrift,
                                                     "event \(event.eventID): Redis has \(hot.count) seats sold, PostgreSQL \(database.count)",
                                                     evidence: ["sold only in Redis: [\(onlyHot)]", "sold only in PostgreSQL: [\(onlyDatabase)]"]))
            }
            if event.availableCounter != event.availableSeatCount {
                violations.append(InvariantViolation(.hotStoreDrift,
                                                     "event \(event.eventID): Redis counts \(event.availableCounter) seats available but its seat statuses show \(event.availableSeatCount)",
                                                     evidence: ["redis avail all=\(event.availableCounter) seats with status 0=\(event.availableSeatCount)"]))
            }
            for pool in inventory.pools where pool.eventID == event.eventID {
                let hotSold = event.poolSold[pool.code] ?? 0
                if hotSold != pool.soldCounter {
                    violations.append(InvariantViolation(.hotStoreDrift,
                                                         "event \(event.eventID): GA pool \(pool.code) sold \(hotSold) in Redis, \(pool.soldCounter) in PostgreSQL",
                                                         evidence: ["redis ga \(pool.code):sold=\(hotSold)", "ga_pool \(pool.eventID)/\(pool.code): sold=\(pool.soldCounter)"]))
                }
            }
        }
        return violations
    }
}
