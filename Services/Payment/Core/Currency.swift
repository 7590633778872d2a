/// An ISO 4217 currency the payment service accepts, with its minor-unit exponent.
public struct Currency: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The upper-case alphabetic code, e.g. "USD".
    public let code: String
    /// Decimal places of the minor unit: 2 for USD (cents), 0 for JPY, 3 for KWD.
    public let minorUnitExponent: Int

    private init(_ code: String, _ minorUnitExponent: Int) {
        self.code = code
        self.minorUnitExponent = minorUnitExponent
    }

    /// For logs and messages.
    public var description: String { code }

    /// Encodes as the bare code, e.g. `"USD"`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }

    /// Decodes a bare code; a code this service does not accept is a decoding error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let code = try container.decode(String.self)
        guard let currency = Currency(code: code) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(code)\" is not an accepted ISO 4217 currency")
        }
        self = currency
    }

    /// The accepted currency with this code, or nil; codes are matched exactly (upper case).
    public init?(code: String) {
        guard let currency = Self.accepted[code] else { return nil }
        self = currency
    }

    /// Every currency accepted, by code (ISO 4217 exponents).
    public static let accepted: [String: Currency] = {
        let list: [Currency] = [
            // Two decimal places.
            Currency("USD", 2), Currency("EUR", 2), Currency("GBP", 2), Currency("CHF", 2), Currency("CAD", 2),
            Currency("AUD", 2), Currency("NZD", 2), Currency("SEK", 2), Currency("NOK", 2), Currency("DKK", 2),
            Currency("PLN", 2), Currency("CZK", 2), Currency("HUF", 2), Currency("RON", 2), Currency("BGN", 2),
            Currency("TRY", 2), Currency("ILS", 2), Currency("AED", 2), Currency("SAR", 2), Currency("QAR", 2),
            Currency("ZAR", 2), Currency("BRL", 2), Currency("MXN", 2), Currency("ARS", 2), Currency("COP", 2),
            Currency("PEN", 2), Currency("INR", 2), Currency("CNY", 2), Currency("HKD", 2), Currency("SGD", 2),
            Currency("TWD", 2), Currency("THB", 2), Currency("MYR", 2), Currency("PHP", 2), Currency("IDR", 2),
            Currency("EGP", 2), Currency("NGN", 2), Currency("KES", 2), Currency("MAD", 2),
            // No minor unit.
            Currency("JPY", 0), Currency("KRW", 0), Currency("CLP", 0), Currency("ISK", 0), Currency("VND", 0),
            Currency("UGX", 0), Currency("PYG", 0),
            // Three decimal places.
            Currency("BHD", 3), Currency("KWD", 3), Currency("JOD", 3), Currency("OMR", 3), Currency("TND", 3),
        ]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.code, $0) })
    }()
}
