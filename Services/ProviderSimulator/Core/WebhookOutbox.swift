public import Foundation

/// The simulator's webhook schedule: which event to deliver when, and redelivery with exponential
/// backoff until the receiver acknowledges it.
///
/// A value type with no I/O: the server asks ``due(at:)`` for deliveries, serializes each event,
/// signs the attempt with ``WebhookSigner/sign(_:payload:at:)``, sends it, and reports the answer
/// with ``recordAttempt(_:acknowledged:at:retry:)`` (or ``ChargeLedger/recordDelivery(_:acknowledged:at:)``).
public struct WebhookOutbox: Sendable, Hashable {
    /// One planned delivery of one event. A duplicated event has two deliveries with the same event.
    public struct Delivery: Sendable, Hashable, Identifiable {
        /// Where a delivery stands.
        public enum State: Sendable, Hashable {
            /// Waiting for its next attempt at `deliverAt`.
            case scheduled
            /// The receiver answered `accepted`.
            case acknowledged
            /// `maxAttempts` failed; never tried again.
            case abandoned
        }

        /// `whd_…`, unique in the outbox.
        public var id: String
        /// The event to deliver.
        public var event: WebhookEvent
        /// When the next attempt is due.
        public var deliverAt: Date
        /// The number of the next attempt, from 1 (sent as `WebhookDelivery.attempt`).
        public var attempt: Int
        /// Where the delivery stands.
        public var state: State
        /// Order of creation, to break ties between deliveries due at the same instant.
        let ordinal: Int
    }

    // Scheduled deliveries apart from finished ones: the server asks for due work after every
    // change, and a load run finishes tens of thousands of deliveries.
    private var scheduled: [String: Delivery] = [:]
    private var finished: [String: Delivery] = [:]
    private var nextOrdinal = 1

    /// An empty outbox.
    public init() {}

    /// Plans the deliveries of `event` as the charge's token says.
    ///
    /// `.outOfOrder` holds the charge's first event (sequence 1) back by `outOfOrderHold` and sends
    /// later ones at once, so they overtake it; `.lost` plans nothing.
    public mutating func schedule(
        _ event: WebhookEvent, behaviour: TokenBehaviour.Webhook, at now: Date,
        configuration: SimulatorConfiguration
    ) {
        switch behaviour {
        case .lost:
            return
        case .prompt:
            add(event, at: now)
        case .delayed:
            add(event, at: now.adding(configuration.webhookDelay))
        case .twice:
            add(event, at: now)
            add(event, at: now)
        case .outOfOrder:
            add(event, at: event.sequence == 1 ? now.adding(configuration.outOfOrderHold) : now)
        }
    }

    /// Deliveries whose attempt is due at `now`, earliest first.
    public func due(at now: Date) -> [Delivery] {
        scheduled.values
            .filter { $0.deliverAt <= now }
            .sorted { ($0.deliverAt, $0.ordinal) < ($1.deliverAt, $1.ordinal) }
    }

    /// When the next scheduled attempt is due; nil when nothing waits.
    public var nextDueDate: Date? {
        scheduled.values.lazy.map(\.deliverAt).min()
    }

    /// When the next scheduled attempt is due, leaving out the deliveries in `excluded` (those
    /// being attempted right now); nil when nothing else waits.
    public func nextDueDate(excluding excluded: Set<String>) -> Date? {
        scheduled.values.lazy.filter { !excluded.contains($0.id) }.map(\.deliverAt).min()
    }

    /// Every delivery, in creation order.
    public var all: [Delivery] {
        (Array(scheduled.values) + Array(finished.values)).sorted { $0.ordinal < $1.ordinal }
    }

    /// The delivery with that id.
    public func delivery(id: String) -> Delivery? { scheduled[id] ?? finished[id] }

    /// How many deliveries still wait for an attempt.
    public var scheduledCount: Int { scheduled.count }

    /// Records the answer to an attempt: acknowledged, or failed and rescheduled with backoff
    /// (abandoned after `retry.maxAttempts`). Unknown ids and finished deliveries are ignored, so a
    /// late answer to an earlier attempt is harmless.
    public mutating func recordAttempt(_ id: String, acknowledged: Bool, at now: Date, retry: RetryBackoff) {
        guard var delivery = scheduled[id] else { return }
        if acknowledged {
            delivery.state = .acknowledged
        } else if delivery.attempt >= retry.maxAttempts {
            delivery.state = .abandoned
        } else {
            delivery.deliverAt = now.adding(retry.delay(afterFailedAttempts: delivery.attempt))
            delivery.attempt += 1
            scheduled[id] = delivery
            return
        }
        scheduled[id] = nil
        finished[id] = delivery
    }

    private mutating func add(_ event: WebhookEvent, at date: Date) {
        let ordinal = nextOrdinal
        nextOrdinal += 1
        let id = "whd_sim_" + String(ordinal)
        scheduled[id] = Delivery(id: id, event: event, deliverAt: date, attempt: 1, state: .scheduled, ordinal: ordinal)
    }
}
