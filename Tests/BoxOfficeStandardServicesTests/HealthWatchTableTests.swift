@testable import BoxOfficeStandardServices
import Testing

@Suite struct HealthWatchTableTests {
    @Test func unknownServiceHasNoStatus() {
        let table = HealthWatchTable()
        #expect(table.status(of: "x") == nil)
    }

    @Test func watcherStartsWithTheCurrentStatus() {
        var table = HealthWatchTable()
        _ = table.setStatus(.serving, for: "a")
        let (_, current) = table.addWatcher(of: "a")
        #expect(current == .serving)
        let (_, unknown) = table.addWatcher(of: "b")
        #expect(unknown == nil)
    }

    @Test func changesNotifyOnlyTheWatchersOfThatService() {
        var table = HealthWatchTable()
        let (a1, _) = table.addWatcher(of: "a")
        let (a2, _) = table.addWatcher(of: "a")
        _ = table.addWatcher(of: "b")
        let notifications = table.setStatus(.notServing, for: "a")
        #expect(notifications == [.init(watcher: a1, status: .notServing), .init(watcher: a2, status: .notServing)])
    }

    @Test func settingTheSameStatusAgainNotifiesNobody() {
        var table = HealthWatchTable()
        _ = table.addWatcher(of: "a")
        #expect(table.setStatus(.serving, for: "a").count == 1)
        #expect(table.setStatus(.serving, for: "a").isEmpty)
        #expect(table.setStatus(.notServing, for: "a").count == 1)
    }

    @Test func clearingMakesTheServiceUnknownToItsWatchers() {
        var table = HealthWatchTable()
        let (id, _) = table.addWatcher(of: "a")
        _ = table.setStatus(.serving, for: "a")
        #expect(table.clearStatus(of: "a") == [.init(watcher: id, status: nil)])
        #expect(table.status(of: "a") == nil)
        #expect(table.clearStatus(of: "a").isEmpty)
    }

    @Test func removedWatchersAreNotNotified() {
        var table = HealthWatchTable()
        let (id, _) = table.addWatcher(of: "a")
        #expect(table.watcherCount == 1)
        table.removeWatcher(id)
        table.removeWatcher(id)
        #expect(table.watcherCount == 0)
        #expect(table.setStatus(.serving, for: "a").isEmpty)
    }
}
