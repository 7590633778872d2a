/// A test payment token: chooses how the simulator behaves for a charge, as a provider's test cards do.
///
/// The raw values are the tokens listed in `provider.proto`'s header comment.
public enum TestToken: String, CaseIterable, Sendable, Hashable, Codable {
    /// The charge succeeds at once.
    case approve = "tok_approve"
    /// Declined with `card_declined`.
    case declineCard = "tok_decline_card"
    /// Declined with `insufficient_funds`.
    case declineFunds = "tok_decline_funds"
    /// Answers after the caller's timeout, but charges.
    case timeoutCharge = "tok_timeout_charge"
    /// Answers after the caller's timeout, and does not charge.
    case timeoutNoCharge = "tok_timeout_no_charge"
    /// Succeeds; the webhook is never sent.
    case webhookLost = "tok_webhook_lost"
    /// Succeeds; the webhook is sent late.
    case webhookDelayed = "tok_webhook_delayed"
    /// Succeeds; every webhook is sent twice.
    case webhookTwice = "tok_webhook_twice"
    /// Succeeds; the charge's events are sent out of order.
    case webhookOutOfOrder = "tok_webhook_out_of_order"

    /// What this token makes the simulator do: the decision table.
    public var behaviour: TokenBehaviour {
        switch self {
        case .approve: TokenBehaviour(outcome: .succeed, answer: .promptly, webhook: .prompt)
        case .declineCard: TokenBehaviour(outcome: .decline(.cardDeclined), answer: .promptly, webhook: .prompt)
        case .declineFunds: TokenBehaviour(outcome: .decline(.insufficientFunds), answer: .promptly, webhook: .prompt)
        case .timeoutCharge: TokenBehaviour(outcome: .succeed, answer: .afterCallerTimeout, webhook: .prompt)
        case .timeoutNoCharge: TokenBehaviour(outcome: .notCharged, answer: .afterCallerTimeout, webhook: .prompt)
        case .webhookLost: TokenBehaviour(outcome: .succeed, answer: .promptly, webhook: .lost)
        case .webhookDelayed: TokenBehaviour(outcome: .succeed, answer: .promptly, webhook: .delayed)
        case .webhookTwice: TokenBehaviour(outcome: .succeed, answer: .promptly, webhook: .twice)
        case .webhookOutOfOrder: TokenBehaviour(outcome: .succeed, answer: .promptly, webhook: .outOfOrder)
        }
    }
}

/// One row of the test-token decision table.
public struct TokenBehaviour: Sendable, Hashable {
    /// How the charge ends.
    public enum Outcome: Sendable, Hashable {
        /// The card is charged.
        case succeed
        /// The card is declined with this code; nothing is charged.
        case decline(FailureCode)
        /// Processing fails without a charge (`processing_error`).
        case notCharged
    }

    /// When the CreateCharge answer is sent.
    public enum Answer: Sendable, Hashable {
        /// After the configured latency.
        case promptly
        /// After the caller's timeout has passed (the configured caller timeout plus a margin).
        case afterCallerTimeout
    }

    /// How the charge's webhook events are delivered.
    public enum Webhook: Sendable, Hashable {
        /// Each event once, as soon as it happens.
        case prompt
        /// No event is ever sent for this charge.
        case lost
        /// Each event once, after the configured webhook delay.
        case delayed
        /// Each event twice (two deliveries with the same event id).
        case twice
        /// The charge's first event is held back, so that later events overtake it.
        case outOfOrder
    }

    /// How the charge ends.
    public var outcome: Outcome
    /// When the CreateCharge answer is sent.
    public var answer: Answer
    /// How the charge's webhook events are delivered.
    public var webhook: Webhook

    /// Creates a value from its fields.
    public init(outcome: Outcome, answer: Answer, webhook: Webhook) {
        self.outcome = outcome
        self.answer = answer
        self.webhook = webhook
    }
}

/// Why a charge failed, as the provider reports it in `failure_code`.
public enum FailureCode: String, CaseIterable, Sendable, Hashable, Codable {
    case cardDeclined = "card_declined"
    case insufficientFunds = "insufficient_funds"
    /// The provider could not complete the charge; the card was not charged.
    case processingError = "processing_error"

    /// The human-readable `failure_message` sent with this code.
    public var message: String {
        switch self {
        case .cardDeclined: "Your card was declined."
        case .insufficientFunds: "Your card has insufficient funds."
        case .processingError: "An error occurred while processing the charge; the card was not charged."
        }
    }
}
