import BoxOfficeAPI
import BoxOfficeBooking
import BoxOfficeProto
import Foundation
import Testing

/// Opening a room from an inventory event: the sale start, the service defaults, the event's labels.
@Suite struct WaitingRoomDefaultsTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)

    static func event(labels: [String: String] = [:], saleStartsAt: Date? = now.addingTimeInterval(300)) -> Boxoffice_Inventory_V1_Event {
        var event = Boxoffice_Inventory_V1_Event()
        event.id = 12
        event.labels = labels
        event.saleStartsAt = saleStartsAt.map { Google_Protobuf_Timestamp(date: $0) }
        return event
    }

    @Test func theServiceDefaultsApplyWithoutLabels() throws {
        let settings = try WaitingRoomDefaults(ratePerSecond: 30, batchSize: 6).settings(for: Self.event(), now: Self.now)
        #expect(settings.saleOpensAt == Self.now.addingTimeInterval(300))
        #expect(settings.admission == AdmissionPolicy(batchSize: 6, rate: .fixed(perSecond: 30)))
    }

    @Test func anEventWithoutSaleStartOpensAtOnce() throws {
        let settings = try WaitingRoomDefaults().settings(for: Self.event(saleStartsAt: nil), now: Self.now)
        #expect(settings.saleOpensAt == Self.now)
    }

    @Test func labelsAndPerEventRatesOverrideTheDefaults() throws {
        let labelled = Self.event(labels: ["admission_rate_per_second": "12.5", "admission_batch_size": "4"])
        let settings = try WaitingRoomDefaults(ratePerSecond: 30, batchSize: 6).settings(for: labelled, now: Self.now)
        #expect(settings.admission == AdmissionPolicy(batchSize: 4, rate: .fixed(perSecond: 12.5)))
        let overridden = try WaitingRoomDefaults(ratePerEvent: [12: 3]).settings(for: labelled, now: Self.now)
        #expect(overridden.admission.rate == .fixed(perSecond: 3))
    }

    @Test func aRoomCanFollowHealthFromTheDefaultRate() throws {
        let labelled = Self.event(labels: ["admission_rate_follows_health": "true"])
        let settings = try WaitingRoomDefaults(ratePerSecond: 20).settings(for: labelled, now: Self.now)
        guard case .followingHealth(let following) = settings.admission.rate else {
            Issue.record("expected a health-following rate, got \(settings.admission.rate)")
            return
        }
        #expect(following.initialPerSecond == 20)
        #expect(following.minimumPerSecond == 2)
        #expect(following.maximumPerSecond == 80)
    }

    @Test(arguments: [["admission_rate_per_second": "fast"], ["admission_rate_per_second": "-1"], ["admission_batch_size": "0"],
                      ["admission_batch_size": "2.5"], ["admission_rate_follows_health": "yes"]])
    func badLabelsAreInvalidArgument(labels: [String: String]) {
        #expect(throws: WaitingRoomError.self) { try WaitingRoomDefaults().settings(for: Self.event(labels: labels), now: Self.now) }
    }
}
