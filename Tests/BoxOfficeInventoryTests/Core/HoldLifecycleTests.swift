import Foundation
import Testing
import BoxOfficeInventory

@Suite("Hold lifecycle rules")
struct HoldLifecycleTests {
    let policy = HoldPolicy()
    let start = Fixtures.epoch

    @Test("a hold is live until its expiry unless pinned, then until its pin")
    func expiry() {
        let hold = Fixtures.hold(expiresIn: .seconds(60))
        #expect(HoldLifecycle.isLive(hold, at: start.adding(.seconds(59))))
        #expect(!HoldLifecycle.isLive(hold, at: start.adding(.seconds(60))))
        #expect(HoldLifecycle.shouldExpire(hold, at: start.adding(.seconds(60))))
        let pinned = Fixtures.hold(status: .pinned, expiresIn: .seconds(60), pinnedUntil: start.adding(.seconds(90)))
        #expect(HoldLifecycle.isLive(pinned, at: start.adding(.seconds(89))))
        #expect(!HoldLifecycle.shouldExpire(pinned, at: start.adding(.seconds(89))))
        #expect(HoldLifecycle.shouldExpire(pinned, at: start.adding(.seconds(90))))
        for status in [HoldStatus.confirmed, .released, .expired] {
            #expect(!HoldLifecycle.shouldExpire(Fixtures.hold(status: status), at: start.adding(.seconds(999))))
        }
    }

    @Test("confirm: the holder's live hold sells once; retries for the same order are idempotent")
    func confirm() throws {
        let hold = Fixtures.hold()
        #expect(try HoldLifecycle.confirm(hold, holderID: "alice", orderReference: "o1", at: start) == .sell)
        let pinned = Fixtures.hold(status: .pinned, expiresIn: .seconds(1), pinnedUntil: start.adding(.seconds(30)))
        #expect(try HoldLifecycle.confirm(pinned, holderID: "alice", orderReference: "o1",
                                          at: start.adding(.seconds(20))) == .sell)
        let sold = Fixtures.hold(status: .confirmed, orderReference: "o1")
        #expect(try HoldLifecycle.confirm(sold, holderID: "alice", orderReference: "o1", at: start) == .alreadyConfirmed)
        #expect(throws: InventoryError.failedPrecondition("hold h1 is already confirmed for another order")) {
            try HoldLifecycle.confirm(sold, holderID: "alice", orderReference: "o2", at: start)
        }
        #expect(throws: InventoryError.failedPrecondition("hold h1 belongs to another holder")) {
            try HoldLifecycle.confirm(hold, holderID: "bob", orderReference: "o1", at: start)
        }
        let late = #expect(throws: InventoryError.self) {
            try HoldLifecycle.confirm(hold, holderID: "alice", orderReference: "o1", at: start.adding(.seconds(60)))
        }
        #expect(late?.code == .failedPrecondition)
        #expect(late?.message.hasPrefix("hold h1 expired at") == true)
        #expect(throws: InventoryError.failedPrecondition("hold h1 was released; make a new hold")) {
            try HoldLifecycle.confirm(Fixtures.hold(status: .released), holderID: "alice", orderReference: "o1", at: start)
        }
    }

    @Test("release is idempotent, refuses other holders and sold holds")
    func release() throws {
        #expect(try HoldLifecycle.release(Fixtures.hold(), holderID: "alice") == .release)
        #expect(try HoldLifecycle.release(Fixtures.hold(status: .expired), holderID: "alice") == .alreadyEnded)
        #expect(try HoldLifecycle.release(Fixtures.hold(status: .released), holderID: "alice") == .alreadyEnded)
        #expect(throws: InventoryError.failedPrecondition("hold h1 belongs to another holder")) {
            try HoldLifecycle.release(Fixtures.hold(), holderID: "bob")
        }
        #expect(throws: InventoryError.failedPrecondition("hold h1 is confirmed; sold seats are not released")) {
            try HoldLifecycle.release(Fixtures.hold(status: .confirmed), holderID: "alice")
        }
    }

    @Test("pins extend to now + pin_for, never shorten, never pass the lifetime bound")
    func pin() throws {
        let hold = Fixtures.hold(expiresIn: .seconds(60))
        let now = start.adding(.seconds(10))
        #expect(try HoldLifecycle.pin(hold, holderID: "alice", pinFor: .seconds(300), at: now, policy: policy)
            == now.adding(.seconds(300)))
        let pinned = Fixtures.hold(status: .pinned, pinnedUntil: start.adding(.seconds(600)))
        #expect(try HoldLifecycle.pin(pinned, holderID: "alice", pinFor: .seconds(5), at: now, policy: policy)
            == start.adding(.seconds(600)))
        let nearBound = start.adding(.seconds(7_100))
        let longPinned = Fixtures.hold(status: .pinned, pinnedUntil: start.adding(.seconds(7_150)))
        #expect(try HoldLifecycle.pin(longPinned, holderID: "alice", pinFor: .seconds(900), at: nearBound, policy: policy)
            == start.adding(.seconds(7_200)))
        #expect(throws: InventoryError.invalidArgument("pin_for 0.0 seconds is outside (0s, 900.0 seconds]")) {
            try HoldLifecycle.pin(hold, holderID: "alice", pinFor: .zero, at: now, policy: policy)
        }
        #expect(throws: InventoryError.invalidArgument("pin_for 901.0 seconds is outside (0s, 900.0 seconds]")) {
            try HoldLifecycle.pin(hold, holderID: "alice", pinFor: .seconds(901), at: now, policy: policy)
        }
        #expect(throws: InventoryError.self) {
            try HoldLifecycle.pin(hold, holderID: "alice", pinFor: .seconds(5), at: start.adding(.seconds(61)), policy: policy)
        }
        #expect(throws: InventoryError.failedPrecondition("hold h1 is released; only a live hold can be pinned")) {
            try HoldLifecycle.pin(Fixtures.hold(status: .released), holderID: "alice", pinFor: .seconds(5), at: now,
                                  policy: policy)
        }
        #expect(throws: InventoryError.failedPrecondition("hold h1 belongs to another holder")) {
            try HoldLifecycle.pin(hold, holderID: "bob", pinFor: .seconds(5), at: now, policy: policy)
        }
    }
}
