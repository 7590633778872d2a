/// An amount in integer minor units of an accepted currency; maps onto `boxoffice.common.v1.Money`.
public struct Money: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Amount in the currency's minor unit (cents for USD).
    public var amountMinor: Int64
    /// The currency the amount is in.
    public var currency: Currency

    /// Creates a value from its fields.
    public init(amountMinor: Int64, currency: Currency) {
        self.amountMinor = amountMinor
        self.currency = currency
    }

    /// "12.34 USD", "1200 JPY": for messages a person reads.
    public var description: String {
        let exponent = currency.minorUnitExponent
        guard exponent > 0 else { return "\(amountMinor) \(currency.code)" }
        let sign = amountMinor < 0 ? "-" : ""
        let magnitude = amountMinor.magnitude
        var scale: UInt64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let fraction = String(magnitude % scale)
        let padded = String(repeating: "0", count: exponent - fraction.count) + fraction
        return "\(sign)\(magnitude / scale).\(padded) \(currency.code)"
    }
}
