/// What a shopper does with a held booking.
public enum CheckoutChoice: Sendable, Hashable, CustomStringConvertible {
    /// Checks out with this payment token (the simulator's test tokens choose its behaviour).
    case pay(token: String)
    /// Walks away: the hold is left to expire.
    case abandon
    /// Cancels the booking, releasing its hold at once.
    case cancel

    /// The payment provider simulator's test tokens (Protos/boxoffice/provider/v1/provider.proto).
    public static let knownTokens: [String] = [
        "tok_approve", "tok_decline_card", "tok_decline_funds", "tok_timeout_charge", "tok_timeout_no_charge",
        "tok_webhook_lost", "tok_webhook_delayed", "tok_webhook_twice", "tok_webhook_out_of_order",
    ]

    /// The name used in a mix: the token, `abandon` or `cancel`.
    public var description: String {
        switch self {
        case .pay(let token): token
        case .abandon: "abandon"
        case .cancel: "cancel"
        }
    }

    /// Parses a mix entry's name: a known token with or without its `tok_` prefix, `abandon` or `cancel`.
    public init?(name: String) {
        switch name {
        case "abandon": self = .abandon
        case "cancel": self = .cancel
        default:
            let token = name.hasPrefix("tok_") ? name : "tok_" + name
            guard Self.knownTokens.contains(token) else { return nil }
            self = .pay(token: token)
        }
    }
}

/// The shares of checkout choices across the crowd, e.g. `approve=70,decline_card=5,abandon=8`.
public struct CheckoutMix: Sendable, Hashable, CustomStringConvertible {
    /// The weighted choices.
    public let choices: WeightedChoices<CheckoutChoice>

    /// The default: mostly approvals, with every kind of decline, timeout and webhook trouble, some
    /// abandoned carts and a few cancellations.
    public static let standard = CheckoutMix(choices: WeightedChoices([
        .init(.pay(token: "tok_approve"), weight: 66),
        .init(.pay(token: "tok_decline_card"), weight: 5),
        .init(.pay(token: "tok_decline_funds"), weight: 4),
        .init(.pay(token: "tok_timeout_charge"), weight: 3),
        .init(.pay(token: "tok_timeout_no_charge"), weight: 2),
        .init(.pay(token: "tok_webhook_lost"), weight: 3),
        .init(.pay(token: "tok_webhook_delayed"), weight: 2),
        .init(.pay(token: "tok_webhook_twice"), weight: 2),
        .init(.pay(token: "tok_webhook_out_of_order"), weight: 1),
        .init(.abandon, weight: 9),
        .init(.cancel, weight: 3),
    ]))

    /// A mix from its weighted choices.
    public init(choices: WeightedChoices<CheckoutChoice>) {
        self.choices = choices
    }

    /// Parses `name=weight,name=weight,…` (names as in ``CheckoutChoice/init(name:)``).
    ///
    /// - Throws: ``DropConfigurationError`` naming the entry that is malformed, unknown, repeated
    ///   or negative, or when every weight is 0.
    public init(parsing text: String) throws(DropConfigurationError) {
        var entries: [WeightedChoices<CheckoutChoice>.Entry] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count == 2, let weight = Int(pieces[1]) else {
                throw DropConfigurationError("checkout mix entry '\(part)' is not name=weight")
            }
            guard let choice = CheckoutChoice(name: pieces[0]) else {
                let names = (CheckoutChoice.knownTokens + ["abandon", "cancel"]).joined(separator: ", ")
                throw DropConfigurationError("unknown checkout choice '\(pieces[0])'; known: \(names)")
            }
            guard weight >= 0 else { throw DropConfigurationError("checkout mix weight of '\(pieces[0])' is negative") }
            guard !entries.contains(where: { $0.choice == choice }) else {
                throw DropConfigurationError("checkout choice '\(pieces[0])' appears twice")
            }
            entries.append(.init(choice, weight: weight))
        }
        guard entries.contains(where: { $0.weight > 0 }) else {
            throw DropConfigurationError("the checkout mix needs at least one positive weight")
        }
        self.choices = WeightedChoices(entries)
    }

    /// `name=weight,…` in the order given.
    public var description: String {
        choices.entries.map { "\($0.choice)=\($0.weight)" }.joined(separator: ",")
    }
}
