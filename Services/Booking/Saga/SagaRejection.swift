/// An event the saga refuses in its current step. The saga is unchanged.
///
/// User requests (`checkoutRequested`, `cancelRequested`) are refused with the first four reasons,
/// which the service maps to FAILED_PRECONDITION. The last three mean another service said something
/// its contract rules out (or a persisted saga is damaged): log and alert, never act on it. A payment
/// notification refused this way should still be acknowledged: redelivering it cannot change the answer.
public struct SagaRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why the event was refused.
    public enum Reason: String, Hashable, Sendable {
        /// No hold has been granted (yet, or ever).
        case holdNotGranted
        /// The booking expired.
        case bookingExpired
        /// The booking was cancelled.
        case bookingCancelled
        /// Payment has started: the booking can no longer be cancelled.
        case paymentStarted
        /// An answer to a call this saga cannot have made in any step so far.
        case unexpectedAnswer
        /// A report that contradicts an outcome already recorded (e.g. CAPTURED after NOT_CHARGED).
        case contradictsRecordedOutcome
        /// The persisted saga lacks a field its step needs.
        case inconsistentState
    }

    /// Why.
    public var reason: Reason
    /// The step the saga was in.
    public var step: SagaStep
    /// The refused event.
    public var event: SagaEvent

    /// Creates a rejection.
    public init(_ reason: Reason, step: SagaStep, event: SagaEvent) {
        self.reason = reason
        self.step = step
        self.event = event
    }

    /// One line for logs: step, event and reason.
    public var description: String { "saga in \(step) rejected \(event): \(reason.rawValue)" }
}

extension SagaRejection.Reason: Error {}
