/// The statuses of a server's services and who watches them: the logic of
/// ``HealthStatusRegistry`` without locks or streams, so it is tested without I/O.
///
/// Every mutation returns what to tell which watcher; the owner delivers it.
struct HealthWatchTable: Sendable {
    /// Identifies one `Watch` call.
    typealias WatcherID = Int

    /// A status to send to one watcher.
    struct Notification: Sendable, Hashable {
        var watcher: WatcherID
        var status: HealthStatus?  // nil = the service is unknown (SERVICE_UNKNOWN)
    }

    private(set) var statuses: [String: HealthStatus] = [:]
    private var watchers: [String: Set<WatcherID>] = [:]
    private var watchedService: [WatcherID: String] = [:]
    private var nextWatcher = 0

    /// The status of `service`; nil when it was never set (unknown).
    func status(of service: String) -> HealthStatus? { statuses[service] }

    /// Sets the status of `service`; returns the watchers to tell (none when nothing changed).
    mutating func setStatus(_ status: HealthStatus, for service: String) -> [Notification] {
        guard statuses[service] != status else { return [] }
        statuses[service] = status
        return notifications(for: service, status: status)
    }

    /// Forgets `service` (its watchers see SERVICE_UNKNOWN).
    mutating func clearStatus(of service: String) -> [Notification] {
        guard statuses.removeValue(forKey: service) != nil else { return [] }
        return notifications(for: service, status: nil)
    }

    /// Registers a watcher of `service`; returns its id and the first status to send it.
    mutating func addWatcher(of service: String) -> (id: WatcherID, current: HealthStatus?) {
        let id = nextWatcher
        nextWatcher += 1
        watchers[service, default: []].insert(id)
        watchedService[id] = service
        return (id, statuses[service])
    }

    /// Removes a watcher (its call ended).
    mutating func removeWatcher(_ id: WatcherID) {
        guard let service = watchedService.removeValue(forKey: id) else { return }
        watchers[service]?.remove(id)
        if watchers[service]?.isEmpty == true { watchers[service] = nil }
    }

    /// The number of active watchers.
    var watcherCount: Int { watchedService.count }

    private func notifications(for service: String, status: HealthStatus?) -> [Notification] {
        (watchers[service] ?? []).sorted().map { Notification(watcher: $0, status: status) }
    }
}
