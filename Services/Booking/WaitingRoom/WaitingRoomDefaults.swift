public import Foundation
public import BoxOfficeAPI

/// The service-wide waiting-room settings (from `serve booking` flags), and how an event's own
/// labels override them when its room is opened on first entry.
///
/// Event labels read (all optional): `admission_rate_per_second` (a number ≥ 0),
/// `admission_batch_size` (a positive integer), `admission_rate_follows_health` (`true`/`false`).
public struct WaitingRoomDefaults: Sendable, Hashable {
    /// Users let in a second.
    public var ratePerSecond: Double
    /// Users let in together.
    public var batchSize: Int
    /// When set, rooms start at ``ratePerSecond`` and follow downstream health within these bounds.
    public var followHealth: HealthFollowingRate?
    /// Rates for particular events, overriding both the default and the event's labels.
    public var ratePerEvent: [Int64: Double]
    /// See ``WaitingRoomSettings/abandonAfter``.
    public var abandonAfter: Duration
    /// See ``WaitingRoomSettings/admissionWindow``.
    public var admissionWindow: Duration

    /// Creates defaults.
    public init(ratePerSecond: Double = 50, batchSize: Int = 10, followHealth: HealthFollowingRate? = nil,
                ratePerEvent: [Int64: Double] = [:], abandonAfter: Duration = .seconds(60), admissionWindow: Duration = .seconds(600)) {
        self.ratePerSecond = ratePerSecond
        self.batchSize = batchSize
        self.followHealth = followHealth
        self.ratePerEvent = ratePerEvent
        self.abandonAfter = abandonAfter
        self.admissionWindow = admissionWindow
    }

    /// The settings of `event`'s room: the sale opens at `sale_starts_at` (at once when unset).
    ///
    /// - Throws: ``WaitingRoomError/invalidArgument(_:)`` when a label does not parse or the result is unusable.
    public func settings(for event: Boxoffice_Inventory_V1_Event, now: Date) throws(WaitingRoomError) -> WaitingRoomSettings {
        let labels = event.labels
        var rate = ratePerSecond
        if let text = labels["admission_rate_per_second"] {
            guard let value = Double(text), value >= 0, value.isFinite else {
                throw .invalidArgument("event \(event.id): label admission_rate_per_second '\(text)' is not a rate")
            }
            rate = value
        }
        if let override = ratePerEvent[event.id] { rate = override }
        var batch = batchSize
        if let text = labels["admission_batch_size"] {
            guard let value = Int(text), value > 0 else {
                throw .invalidArgument("event \(event.id): label admission_batch_size '\(text)' is not a positive integer")
            }
            batch = value
        }
        var follows = followHealth != nil
        if let text = labels["admission_rate_follows_health"] {
            guard let value = Bool(text) else {
                throw .invalidArgument("event \(event.id): label admission_rate_follows_health '\(text)' is not true or false")
            }
            follows = value
        }
        let admissionRate: AdmissionRate
        if follows, rate > 0 {
            var following = followHealth ?? HealthFollowingRate(initialPerSecond: rate, minimumPerSecond: max(1, rate / 10),
                                                                maximumPerSecond: rate * 4)
            following.initialPerSecond = min(following.maximumPerSecond, max(following.minimumPerSecond, rate))
            admissionRate = .followingHealth(following)
        } else {
            admissionRate = .fixed(perSecond: rate)
        }
        let settings = WaitingRoomSettings(saleOpensAt: event.saleStartsAt?.date ?? now,
                                           admission: AdmissionPolicy(batchSize: batch, rate: admissionRate),
                                           abandonAfter: abandonAfter, admissionWindow: admissionWindow)
        if let problem = settings.problem { throw .invalidArgument("event \(event.id): \(problem)") }
        return settings
    }
}
