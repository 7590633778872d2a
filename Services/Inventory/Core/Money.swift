/// An amount of money in a currency's minor unit (`boxoffice.common.v1.Money`).
public struct Money: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Amount in the currency's minor unit (cents for USD).
    public var amountMinor: Int64
    /// ISO 4217 alphabetic code, upper case.
    public var currency: String

    /// Creates an amount.
    public init(amountMinor: Int64, currency: String) {
        self.amountMinor = amountMinor
        self.currency = currency
    }

    /// Zero in `currency`.
    public static func zero(_ currency: String) -> Money { Money(amountMinor: 0, currency: currency) }

    public var description: String { "\(amountMinor) \(currency)" }
}
